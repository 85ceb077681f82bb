/**
 * recordings: `camwire recordings list|export|prune` — reads the directory a `serve --record`
 * writes (also while it runs), exports clips and applies retention once.
 */
import { Hub } from '../../hub/hub.js';
import { exportToFile } from '../../recordings/export-file.js';
import { formatMoment, parseMoment } from '../../recordings/time.js';
import { RecordingStore } from '../../recordings/store.js';
import { scanSegmentFile } from '../../recordings/fmp4-reader.js';
import { eventKeepMs, eventPinsFrom, recorderOptionsFrom } from '../../sinks/recorder/config.js';
import { EventLog } from '../../hub/event-log.js';
import { EventJournal } from '../../recordings/event-journal.js';
import { Recorder } from '../../sinks/recorder/recorder.js';
import { createError } from '../../util/errors.js';
import { COMMON_HELP, configFrom, parse } from '../args.js';
import { RECORD_OPTIONS, recordConfigFlags } from '../record-options.js';
import type { Command } from './command.js';
import { help } from './serve.js';

const usage = `Usage: camwire recordings list [STREAM] [--since AGE | --from TIME [--to TIME]] [--json]
       camwire recordings export STREAM --from TIME --to TIME -o FILE.mp4
       camwire recordings prune [--keep AGE] [--max-disk SIZE] [--keep-events AGE]

Reads what "camwire serve --record DIR" wrote; give the same --record DIR (or --config).

  list     segments that exist in the span (default: the last 24 h), with their wall-clock
           start and end, size and frames; without STREAM, every recorded stream
  export   one MP4 of the span: H.264 is copied as recorded, MJPEG is converted to H.264
           by ffmpeg (--copy keeps the JPEG pictures); the clip starts at the keyframe at
           or before --from
  prune    delete what --keep / --max-disk (or the config) no longer allow, oldest first

Options:
  --record DIR     the recordings directory (config key recordDir)
  --since AGE      list the last AGE (2h, 7d)
  --from TIME      10:02:00 (today, local time), "2026-11-29 10:02", ISO, or 2h (ago)
  --to TIME        same forms; default now
  -o, --output F   export: the file to write
  --copy           export: keep MJPEG as JPEG pictures (plays in ffmpeg and VLC, not browsers)
  --json           list: one JSON object per segment
  --keep, --max-disk, --keep-events
                       prune: as for serve (STREAM=VALUE for one stream)
  --ffmpeg PATH    export: the ffmpeg to convert MJPEG with
${COMMON_HELP}

Examples:
  camwire recordings list door --since 2h --record recordings/
  camwire recordings export door --from 10:02:00 --to 10:04:30 -o clip.mp4 --record recordings/
  camwire recordings prune --max-disk 10GB --record recordings/`;

const OPTIONS = {
  ...RECORD_OPTIONS,
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  output: { type: 'string', short: 'o' },
  copy: { type: 'boolean' },
  json: { type: 'boolean' },
  ffmpeg: { type: 'string' },
} as const;

/** recordings is the `camwire recordings` command. */
export const recordings: Command = {
  name: 'recordings',
  summary: 'list, export and prune what serve --record wrote',
  usage,
  async run(argv) {
    const { values, positionals } = parse('recordings', argv, OPTIONS);
    if (values.help || positionals.length === 0) return help(usage);
    const [sub, stream, ...extra] = positionals;
    if (extra.length) throw createError('CAMWIRE_ERR_CONFIG', `unexpected "${extra[0]}" (see "camwire recordings --help")`);
    const cfg = configFrom(values, recordConfigFlags(values));
    if (!cfg.recordDir) throw createError('CAMWIRE_ERR_CONFIG', 'which recordings? give --record DIR (the directory serve --record writes), or recordDir in --config');
    const store = new RecordingStore(cfg.recordDir);
    const moment = (flag: 'from' | 'to' | 'since', fallback?: number) => {
      const v = values[flag];
      if (v === undefined) return fallback;
      const us = parseMoment(String(v));
      if (us === undefined) throw createError('CAMWIRE_ERR_CONFIG', `--${flag} "${v}" is not a time: use 10:02:00, "2026-11-29 10:02", an ISO time, or 2h (ago)`);
      return us;
    };
    const nowUs = Date.now() * 1000;
    if (sub === 'list') {
      const from = moment('since') ?? moment('from', nowUs - 86_400e6)!;
      const to = moment('to', nowUs)!;
      const names = stream ? [stream] : await store.streams();
      for (const name of names) {
        for (const s of await store.list(name, from, to)) {
          // A segment being written has no end in the index yet: read it from the file.
          const live = s.open ? await scanSegmentFile(s.path).catch(() => undefined) : undefined;
          const endUs = live ? live.endUs : s.endUs;
          const frames = live ? live.frames : s.frames;
          if (values.json) process.stdout.write(JSON.stringify({ ...s, endUs, frames }) + '\n');
          else process.stdout.write(`${name}  ${formatMoment(s.startUs)} → ${formatMoment(endUs)}  ${s.codec} ${s.width}x${s.height}  ${frames} frames  ${(s.bytes / 1e6).toFixed(1)} MB${s.open ? '  (recording)' : ''}  ${s.path}\n`);
        }
      }
      return 0;
    }
    if (sub === 'export') {
      if (!stream) throw createError('CAMWIRE_ERR_CONFIG', 'export which stream? camwire recordings export STREAM --from TIME --to TIME -o FILE.mp4');
      const from = moment('from');
      const to = moment('to', nowUs)!;
      if (from === undefined) throw createError('CAMWIRE_ERR_CONFIG', 'export needs --from TIME (and --to TIME, default now)');
      if (!values.output) throw createError('CAMWIRE_ERR_CONFIG', 'export needs -o FILE.mp4');
      const info = await exportToFile(store, stream, from, to, String(values.output), { ffmpegPath: values.ffmpeg as string | undefined, copyMjpeg: values.copy === true });
      process.stdout.write(`${values.output}: ${stream} ${formatMoment(info.startUs)} → ${formatMoment(info.endUs)}, ${info.frames} frames (${info.track.codec})\n`);
      return 0;
    }
    if (sub === 'prune') {
      // Events on disk keep their clips (--keep-events) here too.
      const events = new EventLog();
      const journal = new EventJournal(events, { dir: cfg.recordDir, keepMs: eventKeepMs(cfg) });
      const rec = new Recorder(new Hub(), { ...recorderOptionsFrom(cfg), streams: [], pins: eventPinsFrom(cfg, events), eventsReady: journal.ready });
      const before = (await store.streams()).length;
      await rec.start(); // loads the ledgers and applies retention once
      await rec.close();
      await journal.close();
      const d = rec.stats().segmentsDeleted;
      process.stdout.write(`deleted ${d.age} segments by age, ${d['stream-size'] + d['total-size']} by size; ${(rec.stats().bytes / 1e9).toFixed(2)} GB left in ${before} streams\n`);
      return 0;
    }
    throw createError('CAMWIRE_ERR_CONFIG', `unknown recordings command "${sub}": list, export or prune (see "camwire recordings --help")`);
  },
};
