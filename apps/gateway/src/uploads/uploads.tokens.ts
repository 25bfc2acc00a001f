/** Injection token of the shared file storage (FILE_STORAGE_DIR). */
export const FILE_STORAGE = Symbol('FILE_STORAGE');
