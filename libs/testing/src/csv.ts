/**
 * A CSV file's records, read as RFC 4180 writes them: quoted fields with doubled quotes, CRLF between
 * records. A CR or LF outside quotes that is not part of a CRLF is refused: a spreadsheet would start
 * a new record there, so a file that has one lets a value smuggle in rows of its own.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else if (char === '\r' || char === '\n')
      throw new Error(`a line break outside quotes in record ${records.length + 1}`);
    else field += char;
  }
  if (field || record.length) throw new Error('the CSV does not end with a record delimiter');
  return records;
}
