import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../local/errors.js';
import { effectsFor, NO_EFFECTS, parseFault } from '../../../local/sim/faults.js';

const SLICE = {
  pop: 'MAD',
  country: 'ES',
  asn: '3320',
  region: 'eu-west-1',
  device: 'mobile',
  content: 'sintel',
  player: 'hls.js',
};

describe('parseFault', () => {
  it.each([
    ['pop=MAD50-C2:stall-rate=5x', 'pop', 'MAD', { stallRate: 5 }],
    ['pop=mad50-c2:stall-time=2.5x', 'pop', 'MAD', { stallTime: 2.5 }],
    ['asn=3320:failure=10%', 'asn', '3320', { startFailure: 0.1 }],
    ['country=br:startup=+2s', 'country', 'BR', { startupAddMs: 2000 }],
    ['country=BR:startup=+500ms', 'country', 'BR', { startupAddMs: 500 }],
    ['country=BR:startup=3x', 'country', 'BR', { startupFactor: 3 }],
    ['region=eu-central-1:bitrate=0.5x', 'region', 'eu-central-1', { bitrateFactor: 0.5 }],
    ['device=smarttv:playback-failure=5%', 'device', 'smarttv', { playbackFailure: 0.05 }],
    ['content=sintel:exit=20%', 'content', 'sintel', { exit: 0.2 }],
    ['player=dash.js:seek=+800ms', 'player', 'dash.js', { seekAddMs: 800 }],
    ['player=dash.js:seek=2x', 'player', 'dash.js', { seekFactor: 2 }],
    ['pop=FRA:stall-rate=3x:startup=+1s', 'pop', 'FRA', { stallRate: 3, startupAddMs: 1000 }],
  ])('reads %s', (spec, dimension, value, effects) => {
    const { code: _, ...fault } = parseFault(spec);
    expect(fault).toStrictEqual({ spec, dimension, value, effects });
  });

  it('keeps the POP code given, for the viewers a fault adds, and names the slice by IATA code', () => {
    expect(parseFault('pop=mad50-c2:exit=5%')).toMatchObject({ value: 'MAD', code: 'MAD50-C2' });
    expect(parseFault('pop=MAD:exit=5%')).toMatchObject({ value: 'MAD', code: 'MAD50-C1' });
  });

  it.each([
    ['', /expected <slice>=<value>/],
    ['pop', /expected <slice>=<value>/],
    ['pop=MAD50-C2', /at least one :<metric>=<amount>/],
    ['city=Paris:failure=1%', /unknown slice "city"/],
    ['pop=MA:stall-rate=5x', /pop must be a POP code/],
    ['pop=MAD50-:stall-rate=5x', /pop must be a POP code/],
    ['pop=MAD50-C2:stall-rate=5', /stall-rate must be a factor/],
    ['pop=MAD50-C2:stall-rate=0x', /stall-rate must be a factor/],
    ['pop=MAD50-C2:stall-rate=-2x', /stall-rate must be a factor/],
    ['pop=MAD50-C2:stall-rate=500x', /at most 50x/],
    ['asn=AS3320:failure=10%', /asn must be an AS number/],
    ['asn=3320:failure=10', /failure must be a percentage/],
    ['asn=3320:failure=101%', /failure must be a percentage/],
    ['country=BRA:startup=+2s', /two-letter country code/],
    ['country=BR:startup=2s', /startup must be a factor/],
    ['country=BR:startup=+2min', /startup must be \+Ns or \+Nms/],
    ['country=BR:startup=+90s', /at most \+60s/],
    ['region=eu-central:bitrate=0.5x', /region must be an AWS region/],
    ['region=me-south-1:bitrate=0.5x', /no POP of the local edge serves from me-south-1/],
    ['device=phone:exit=5%', /device must be desktop, mobile, tablet or smarttv/],
    ['content=a b:exit=5%', /content must be a content id/],
    ['pop=MAD50-C2:jitter=5x', /unknown metric "jitter"/],
    ['pop=MAD50-C2:stall-rate=5x:stall-rate=2x', /stall-rate is given twice/],
    ['pop=MAD50-C2:stall-rate', /expected <metric>=<amount>/],
  ])('refuses "%s" with a usage error', (spec, message) => {
    expect(() => parseFault(spec)).toThrow(UsageError);
    expect(() => parseFault(spec)).toThrow(message);
  });
});

describe('effectsFor', () => {
  it('leaves a session outside every faulty slice alone', () => {
    expect(effectsFor([parseFault('pop=LHR:stall-rate=5x')], SLICE)).toStrictEqual(NO_EFFECTS);
  });

  it('combines the faults whose slice holds the session', () => {
    const e = effectsFor(
      [
        parseFault('pop=MAD50-C2:stall-rate=5x:failure=10%'),
        parseFault('country=ES:stall-rate=2x:startup=+1s'),
        parseFault('region=eu-west-1:startup=+500ms:failure=3%'),
        parseFault('device=desktop:bitrate=0.5x'),
      ],
      SLICE,
    );
    expect(e).toMatchObject({
      stallRate: 10,
      startupAddMs: 1500,
      startFailure: 0.1,
      bitrateFactor: 1,
    });
  });
});
