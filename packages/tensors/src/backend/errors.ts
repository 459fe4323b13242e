/** Base class of every typed error terramae throws, so callers can catch them as a family. */
export class TerramaeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A backend was requested that is not installed, failed to start, or has no device. */
export class BackendUnavailableError extends TerramaeError {}
