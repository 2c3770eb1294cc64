/** The bearer-sw release this code belongs to; page and worker compare theirs at hello. */
export const VERSION = '0.1.0';
