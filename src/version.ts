/** berth's version, shown by `berth --version`, `berth info` and the API. */
export const VERSION = '0.1.0';
