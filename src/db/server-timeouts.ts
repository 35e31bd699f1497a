// A statement of a step without `timeout:`, and every statement of stepwise's own, ends after this.
export const defaultStatementTimeoutMs = 60 * 60 * 1000;
// The largest timeout PostgreSQL takes (its settings in ms are 32-bit integers).
export const maxServerTimeoutMs = 2_147_483_647;
