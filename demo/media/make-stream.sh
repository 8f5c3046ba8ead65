#!/usr/bin/env bash
# Regenerates the demo's multi-rendition HLS test stream (committed; ~0.5 MB).
# Needs Debian's ffmpeg (apt-get install -y ffmpeg). Run from this folder: ./make-stream.sh
# 16 s of a test pattern with a running clock and a 440 Hz tone, three renditions,
# 2 s segments with a keyframe at every segment start (GOP = 50 frames at 25 fps).
# Audio and video start at exactly the same time, so the buffered range starts at 0: no B-frames
# (they delay the first video frame by two frames) and the audio shifted by the AAC encoder's
# 1024-sample priming (which otherwise starts the audio 23 ms early). With either gap, hls.js
# sometimes "seeks over the hole" at startup, an extra seeking/seeked pair and a non-fatal error
# in every session's beacons.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf hls && mkdir -p hls
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=480x270:rate=25:duration=16" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=16" \
  -filter_complex "[0:v]split=3[v1][v2][v3];[v1]scale=160:90[v1o];[v2]scale=320:180[v2o];[v3]copy[v3o];[1:a]asetpts=PTS+1024/SR/TB,asplit=3[a1][a2][a3]" \
  -map "[v1o]" -map "[a1]" -map "[v2o]" -map "[a2]" -map "[v3o]" -map "[a3]" \
  -c:v libx264 -profile:v main -preset veryfast -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -bf 0 \
  -b:v:0 24k -maxrate:v:0 30k -bufsize:v:0 48k \
  -b:v:1 64k -maxrate:v:1 80k -bufsize:v:1 128k \
  -b:v:2 128k -maxrate:v:2 160k -bufsize:v:2 256k \
  -c:a aac -b:a 16k -ac 1 \
  -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type mpegts \
  -hls_segment_filename "hls/%v/seg%02d.ts" \
  -master_pl_name master.m3u8 \
  -var_stream_map "v:0,a:0,name:90p v:1,a:1,name:180p v:2,a:2,name:270p" \
  "hls/%v/index.m3u8"
du -sh hls
