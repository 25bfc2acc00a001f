/** A timestamptz column as the exact ISO text `toISOString()` gives (millisecond precision, UTC). */
export const isoUtc = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
