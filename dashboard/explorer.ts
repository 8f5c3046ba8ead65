/**
 * The session explorer's entry: when the dashboard URL asks for a session or a list of sessions
 * (session-links.ts), it replaces the main dashboard with that page and refreshes it every few
 * seconds (a session being played keeps growing). The main dashboard is untouched otherwise.
 */
import type { SessionDetail } from '../core-pipeline/queries/types.js';
import { getJson } from './api.js';
import { byId, find } from './dom.js';
import { fmtTime } from './format.js';
import { esc } from './session-html.js';
import { explorerRequest, type ExplorerRequest, sessionsApiPath } from './session-links.js';
import { renderSession } from './session.js';
import { renderSessions, type SessionsAnswer } from './sessions.js';

const REFRESH_MS = 3000;

/** What the current URL asks the explorer for, or null for the main dashboard. */
export function explorerRequested(): ExplorerRequest | null {
  return explorerRequest(location.search);
}

function setStatus(ok: boolean, text: string): void {
  const el = byId('status');
  el.classList.toggle('ok', ok);
  el.classList.toggle('error', !ok);
  find('.text', el).textContent = text;
}

/** Shows the explorer page for `r` instead of the dashboard, and keeps it fresh. */
export function startExplorer(r: ExplorerRequest): void {
  find('main').setAttribute('hidden', '');
  find('.range').setAttribute('hidden', '');
  const root = byId('explorer');
  root.hidden = false;
  document.title =
    r.view === 'session' ? `Session ${r.sessionId} · beacon-edge` : 'Sessions · beacon-edge';
  let resize: () => void = () => undefined;
  new ResizeObserver(() => resize()).observe(root);
  let inFlight = false;
  let lastJson = '';
  const refresh = async () => {
    if (inFlight) return;
    inFlight = true;
    try {
      if (r.view === 'session') {
        const s = await getJson<SessionDetail>(
          `/api/v1/sessions/${encodeURIComponent(r.sessionId)}`,
        );
        const json = JSON.stringify(s);
        // Redrawing an unchanged page would reset the chart's zoom and the reader's scroll.
        if (json !== lastJson) resize = renderSession(root, s);
        lastJson = json;
      } else {
        const a = await getJson<SessionsAnswer>(sessionsApiPath(r));
        const json = JSON.stringify(a.sessions);
        if (json !== lastJson) renderSessions(root, r, a);
        lastJson = json;
      }
      setStatus(true, `live · updated ${fmtTime(Date.now())}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!lastJson) root.innerHTML = `<p class="empty" id="explorer-error">${esc(message)}</p>`;
      setStatus(
        false,
        / 404 /.test(message) ? 'no such session (yet)' : 'API unreachable — retrying',
      );
    } finally {
      inFlight = false;
    }
  };
  refresh();
  const pause = byId('pause');
  let timer = setInterval(refresh, REFRESH_MS);
  pause.addEventListener('click', () => {
    const paused = pause.getAttribute('aria-pressed') !== 'true';
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume' : 'Pause';
    clearInterval(timer);
    if (!paused) timer = setInterval(refresh, REFRESH_MS);
  });
}
