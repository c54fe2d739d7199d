// File IDs as a user types or pastes them: split into group and logical name, refusing here (EINVAL, said
// plainly) what every server would refuse with a bare EINVAL, such as a space copied along with the ID.
import { parseLogicalName, splitFileId } from '../protocol/file-id.js';
import { einval } from '../errors.js';

/** splitFileId plus the checks a server makes, each with the reason and the fix in the message. */
export function splitUserFileId(fileId: string): { group: string; logical: string } {
  const malformed = (why: string) => einval(`the file ID "${fileId}" is malformed: ${why}`);
  if (/^\s/.test(fileId)) throw malformed('it starts with whitespace — remove it');
  if (/\s$/.test(fileId)) throw malformed('it ends with whitespace (copied along with it?) — remove it');
  if (/[\x00-\x20\x7f]/.test(fileId)) throw malformed('it contains whitespace or control characters');
  const parts = splitFileId(fileId);
  try {
    parseLogicalName(parts.logical);
  } catch {
    throw malformed('after the group it must read Mxx/xx/xx/NAME, as fdfs upload prints it');
  }
  return parts;
}
