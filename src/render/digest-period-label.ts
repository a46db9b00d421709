/**
 * A digest period as a reader in the topic's time zone says it: "Tuesday 1 December, 07:00 –
 * Wednesday 2 December, 07:00 KST". A Seoul digest dated Wednesday holds Tuesday's news, so
 * every place that names a period (digest titles, feed summaries, the digest page) writes
 * both ends in local time rather than a date or UTC instants. Pure functions of instants.
 */
import type { DigestSchedule } from '../digest-periods.ts';

interface LocalReading {
  weekday: string;
  day: string;
  month: string;
  year: string;
  time: string;
  zone: string;
}

const readers = new Map<string, Intl.DateTimeFormat>();
const usZoneNames = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, create: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let formatter = cache.get(timeZone);
  if (!formatter) {
    formatter = create();
    cache.set(timeZone, formatter);
  }
  return formatter;
}

function reader(timeZone: string): Intl.DateTimeFormat {
  return cached(
    readers,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      }),
  );
}

const GMT_OFFSET = /^GMT([+-]\d{1,2}(?::\d{2})?)$/;

/*
 * Node 20's ICU has English short names only per locale: en-GB knows CET/CEST, GMT/BST and
 * UTC, en-US knows EST/PDT and the other US zones, and neither knows Asia's: both print
 * "GMT+9" for Seoul. These are the common abbreviations ICU lacks, for zones without summer
 * time, each with the offset it stands for: on a date the zone kept another offset
 * (Pyongyang's +8:30 in 2015-2018) the offset is written instead of a wrong name.
 */
const ABBREVIATIONS: Record<string, { offset: string; name: string }> = {
  'Asia/Seoul': { offset: '+9', name: 'KST' },
  'Asia/Pyongyang': { offset: '+9', name: 'KST' },
  'Asia/Tokyo': { offset: '+9', name: 'JST' },
  'Asia/Hong_Kong': { offset: '+8', name: 'HKT' },
  'Asia/Singapore': { offset: '+8', name: 'SGT' },
  'Asia/Kolkata': { offset: '+5:30', name: 'IST' },
  'Asia/Calcutta': { offset: '+5:30', name: 'IST' },
};

/**
 * The zone's abbreviation at an instant (KST, CET/CEST, EST, UTC), else its offset ("UTC+8"
 * for Shanghai, whose "CST" would read as US Central time).
 */
function zoneName(instant: Date, timeZone: string, britishName: string): string {
  const britishOffset = GMT_OFFSET.exec(britishName)?.[1];
  if (britishOffset === undefined) return britishName;
  const usName =
    cached(usZoneNames, timeZone, () => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }))
      .formatToParts(instant)
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  if (usName !== '' && !GMT_OFFSET.test(usName)) return usName;
  const known = ABBREVIATIONS[timeZone];
  return known?.offset === britishOffset ? known.name : `UTC${britishOffset}`;
}

function localReading(instant: Date, timeZone: string): LocalReading {
  const parts = Object.fromEntries(
    reader(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    weekday: parts.weekday ?? '',
    day: parts.day ?? '',
    month: parts.month ?? '',
    year: parts.year ?? '',
    time: `${parts.hour}:${parts.minute}`,
    zone: zoneName(instant, timeZone, parts.timeZoneName ?? ''),
  };
}

function dayText(reading: LocalReading, withYear: boolean): string {
  return `${reading.weekday} ${reading.day} ${reading.month}${withYear ? ` ${reading.year}` : ''}`;
}

/**
 * "Tuesday 1 December, 07:00 – Wednesday 2 December, 07:00 KST": both ends in the zone, the
 * zone named once, or at each end when it changed between them (a daylight-saving change:
 * "… 08:00 CET – … 08:00 CEST"); the years only when the period spans New Year.
 */
export function digestPeriodLabel(period: { start: Date; end: Date }, timeZone: string): string {
  const start = localReading(period.start, timeZone);
  const end = localReading(period.end, timeZone);
  const withYear = start.year !== end.year;
  const startZone = start.zone === end.zone ? '' : ` ${start.zone}`;
  return `${dayText(start, withYear)}, ${start.time}${startZone} – ${dayText(end, withYear)}, ${end.time} ${end.zone}`;
}

const WEEKDAY_NAMES: Record<DigestSchedule['weekday'], string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};

const UTC_NAMES = /^(?:Etc\/)?(?:UTC|UCT|GMT|Universal|Zulu)$/;

/**
 * When a topic's digest comes out: "daily at 07:00 Asia/Seoul time", "weekly on Monday at
 * 08:00 Europe/Berlin time", "daily at 07:00 UTC". The zone is named, not abbreviated: a
 * schedule holds across summer and winter time, where CET would be wrong half the year.
 */
export function digestScheduleText(schedule: DigestSchedule): string {
  const when = schedule.period === 'daily' ? 'daily' : `weekly on ${WEEKDAY_NAMES[schedule.weekday]}`;
  const zone = UTC_NAMES.test(schedule.timezone) ? 'UTC' : `${schedule.timezone} time`;
  return `${when} at ${schedule.time} ${zone}`;
}
