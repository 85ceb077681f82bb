#!/usr/bin/env bash
# bench-setup: installs from Debian the peer systems `npm run bench -- peers` measures camwire
# against (ffmpeg, GStreamer, nginx-rtmp, Motion, Janus) and the browser it reads pixels in.
# A peer that is missing is skipped by the bench with a printed reason, never silently.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
  gstreamer1.0-plugins-ugly nginx libnginx-mod-rtmp motion janus chromium >/dev/null
