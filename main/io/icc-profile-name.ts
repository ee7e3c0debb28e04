/**
 * Reads the human-readable name (the 'desc' tag) of an ICC profile, so that an image can say
 * "Display P3 profile ignored" rather than flagging every ordinary sRGB file.
 * Handles ICC v2 'desc' and v4 'mluc' tag types; returns undefined for anything else.
 */
export function iccProfileName(profile: Uint8Array): string | undefined {
  const view = new DataView(profile.buffer, profile.byteOffset, profile.byteLength);
  const tagCountOffset = 128;
  if (profile.length < tagCountOffset + 4) return undefined;
  const tagCount = view.getUint32(tagCountOffset);
  for (let tag = 0; tag < tagCount; tag++) {
    const entry = tagCountOffset + 4 + tag * 12;
    if (entry + 12 > profile.length) return undefined;
    if (ascii(profile, entry, 4) !== 'desc') continue;
    const offset = view.getUint32(entry + 4);
    const size = view.getUint32(entry + 8);
    if (offset + size > profile.length || size < 12) return undefined;
    return readTextTag(profile, view, offset);
  }
  return undefined;
}

function readTextTag(profile: Uint8Array, view: DataView, offset: number): string | undefined {
  const type = ascii(profile, offset, 4);
  if (type === 'desc') {
    const length = view.getUint32(offset + 8);
    if (offset + 12 + length > profile.length) return undefined;
    return ascii(profile, offset + 12, length).replace(/\0+$/, '');
  }
  if (type === 'mluc') {
    const records = view.getUint32(offset + 8);
    if (records < 1 || offset + 28 > profile.length) return undefined;
    const length = view.getUint32(offset + 20);
    const start = offset + view.getUint32(offset + 24);
    if (start + length > profile.length) return undefined;
    let text = '';
    for (let i = 0; i + 1 < length; i += 2) text += String.fromCharCode(view.getUint16(start + i));
    return text.replace(/\0+$/, '');
  }
  return undefined;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}
