/** Feishu writes times as strings of epoch milliseconds, "0" while unset. */
export const ms = (time: number): string => String(time);
