// A cron string in words while it is typed (the same words as python/runlab/cron.py's `describe`); the
// server checks each field when the schedule is saved.

const ALIASES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *'
};
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DIGITS = /^\d+$/;

/** The cron string in words ("every 6 hours"), "cron <expression>" for shapes without words, or what is
 * wrong with its form (`valid` false): not five fields, or an unknown alias. */
export function describeCron(text: string): { words: string; valid: boolean } {
  const expression = text.trim().split(/\s+/).filter(Boolean).join(' ');
  if (!expression) {
    return { words: "a cron string such as '0 * * * *' (every hour) or '@daily'", valid: false };
  }
  if (expression.startsWith('@')) {
    const alias = ALIASES[expression.toLowerCase()];
    return alias
      ? describeCron(alias)
      : { words: `unknown alias: use one of ${Object.keys(ALIASES).join(', ')}`, valid: false };
  }
  const fields = expression.split(' ');
  if (fields.length !== 5) {
    return {
      words: `${fields.length} field${fields.length === 1 ? '' : 's'}; it needs 5: minute hour day-of-month month day-of-week`,
      valid: false
    };
  }
  const wrong = fields.findIndex((value, i) => DIGITS.test(value) && (Number(value) < RANGES[i][1] ||
    Number(value) > RANGES[i][2]));
  if (wrong >= 0) {
    const [name, low, high] = RANGES[wrong];
    return { words: `the ${name} field '${fields[wrong]}' is not valid (${low} to ${high})`, valid: false };
  }
  return { words: inWords(fields), valid: true };
}

/** Each field's name and the range of a plain number in it (day of week: 0 and 7 are Sunday). */
const RANGES: [string, number, number][] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7]
];

function inWords([minute, hour, dom, month, dow]: string[]): string {
  const expression = [minute, hour, dom, month, dow].join(' ');
  const at = (m: string) => (m !== '0' ? ` at :${m.padStart(2, '0')}` : '');
  if (dom !== '*' || month !== '*') {
    if (expression === '0 0 1 * *') {
      return 'every month';
    }
    if (expression === '0 0 1 1 *') {
      return 'every year';
    }
    return `cron ${expression}`;
  }
  if (minute === '*' && hour === '*' && dow === '*') {
    return 'every minute';
  }
  if (minute.startsWith('*/') && hour === '*' && dow === '*') {
    return every(minute.slice(2), 'minute');
  }
  if (DIGITS.test(minute) && hour === '*' && dow === '*') {
    return 'every hour' + at(String(Number(minute)));
  }
  if (DIGITS.test(minute) && hour.startsWith('*/') && dow === '*') {
    return every(hour.slice(2), 'hour') + at(String(Number(minute)));
  }
  if (DIGITS.test(minute) && DIGITS.test(hour)) {
    const time = `${String(Number(hour)).padStart(2, '0')}:${String(Number(minute)).padStart(2, '0')}`;
    if (dow === '*') {
      return `every day at ${time}`;
    }
    if (DIGITS.test(dow) && Number(dow) <= 7) {
      return `every ${DAYS[Number(dow) % 7]} at ${time}`;
    }
    if (dow === '1-5') {
      return `every weekday at ${time}`;
    }
  }
  return `cron ${expression}`;
}

function every(count: string, unit: string): string {
  return count === '1' ? `every ${unit}` : `every ${count} ${unit}s`;
}

/** A param's value as typed: JSON when it reads as JSON (`3`, `0.5`, `true`, `[1, 2]`, `"text"`), else the
 * text itself. */
export function paramValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A param's value as the dialog shows it: strings as they are (unless they would read as something else),
 * everything else as JSON. */
export function paramText(value: unknown): string {
  if (typeof value === 'string') {
    return paramValue(value) === value ? value : JSON.stringify(value);
  }
  return JSON.stringify(value);
}
