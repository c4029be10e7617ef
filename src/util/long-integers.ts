/**
 * JSON integers too long for a JS number become JSON strings of the same digits before parsing, so that
 * no digit is lost. Feishu ids are int64 (a comment id has 19 digits) and the Python SDK types some of
 * them as int; the schemas then take such a string where a string of digits is valid, and refuse it
 * where a number is expected, instead of reading a silently rounded number.
 */
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const QUOTE = 34;
const BACKSLASH = 92;

const isDigit = (code: number) => code >= DIGIT_0 && code <= DIGIT_9;

export function quoteLongIntegers(json: string): string {
  if (!/\d{16}/.test(json)) return json;
  let out = '';
  let copied = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) {
      inString = true;
      continue;
    }
    if (!isDigit(code)) continue;
    // A number starts here (a leading minus is left as it is: no id is negative).
    let end = i;
    while (end < json.length && isDigit(json.charCodeAt(end))) end++;
    const digits = json.slice(i, end);
    const fraction = /[.eE]/.test(json[end] ?? '');
    if (!fraction && json[i - 1] !== '-' && !Number.isSafeInteger(Number(digits))) {
      out += `${json.slice(copied, i)}"${digits}"`;
      copied = end;
    }
    i = end - 1;
  }
  return out + json.slice(copied);
}
