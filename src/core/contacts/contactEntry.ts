/** A file that cannot be a contact list at all: one message that says what to do. */
export class ContactFileError extends Error {
  /** `unreadable`: the file itself could not be read (missing, too large), as opposed to what it holds. */
  constructor(
    message: string,
    readonly unreadable = false,
  ) {
    super(message);
  }
}

/** A contact as a file holds it, before its numbers are read. */
export interface Entry {
  where: string;
  name: string;
  phones: string[];
  /** Why the parser could not read it at all. */
  unreadable?: string;
}

export const squeeze = (text: string): string => text.replace(/\s+/g, ' ').trim();
export const shortened = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
