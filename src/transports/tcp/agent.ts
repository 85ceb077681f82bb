/** AGENT names this build in HELLO and WELCOME messages, for the other side's logs. */
export const AGENT = 'camwire/0.1';
