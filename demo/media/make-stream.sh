#!/usr/bin/env bash
# Regenerates the demo's test stream (committed) as CMAF: fragmented-MP4 segments that an HLS
# playlist set (cmaf/master.m3u8) and a DASH manifest (cmaf/manifest.mpd) both point at, so
# hls.js and dash.js play the very same media.
# Needs Debian's ffmpeg (apt-get install -y ffmpeg). Run from this folder: ./make-stream.sh
#
# 16 s of a test pattern with a running clock and a 440 Hz tone: three video renditions (90p,
# 180p, 270p) sharing one audio track, 2 s segments with a keyframe at every segment start
# (GOP = 50 frames at 25 fps). Files, with <id> the DASH Representation id (0-2 video from the
# lowest rendition up, 3 audio): init-<id>.mp4 (initialization segment), seg-<id>-<nn>.m4s
# (media segment nn, from 01: seg-<id>-03.m4s holds 4-6 s), media_<id>.m3u8 (HLS media playlist).
#
# Audio and video start at exactly the same time, so the buffered range starts at 0: no B-frames
# (they delay the first video frame by two frames) and the audio shifted by the AAC encoder's
# 1024-sample priming (which otherwise starts the audio that much early). With either gap, hls.js
# sometimes "seeks over the hole" at startup, an extra seeking/seeked pair and a non-fatal error
# in every session's beacons. The tone is cut 1024 samples short so that, priming included, the
# audio ends at 16 s like the video instead of spilling a few samples into a ninth segment.
# One encoder thread: the same ffmpeg then writes byte-identical files on every run.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf cmaf && mkdir -p cmaf
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=480x270:rate=25:duration=16" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=16" \
  -filter_complex "[0:v]split=3[v1][v2][v3];[v1]scale=160:90[v1o];[v2]scale=320:180[v2o];[v3]copy[v3o];[1:a]atrim=end_sample=704576,asetpts=PTS+1024/SR/TB[a]" \
  -map "[v1o]" -map "[v2o]" -map "[v3o]" -map "[a]" \
  -c:v libx264 -threads 1 -profile:v main -preset veryfast -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -bf 0 \
  -b:v:0 24k -maxrate:v:0 30k -bufsize:v:0 48k \
  -b:v:1 64k -maxrate:v:1 80k -bufsize:v:1 128k \
  -b:v:2 128k -maxrate:v:2 160k -bufsize:v:2 256k \
  -c:a aac -b:a 16k -ac 1 \
  -f dash -seg_duration 2 -use_template 1 -use_timeline 1 \
  -adaptation_sets "id=0,streams=v id=1,streams=a" \
  -init_seg_name 'init-$RepresentationID$.mp4' \
  -media_seg_name 'seg-$RepresentationID$-$Number%02d$.m4s' \
  -hls_playlist 1 -hls_master_name master.m3u8 \
  cmaf/manifest.mpd
# The muxer stamps every HLS segment with the wall clock of this run; a VOD test stream has no
# such time, and the stamps would change the committed playlists on every run.
sed -i '/^#EXT-X-PROGRAM-DATE-TIME:/d' cmaf/media_*.m3u8
du -sh cmaf
