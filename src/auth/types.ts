/**
 * types: the auth API's shapes, shared by the Authenticator and the transports that call it.
 */
import type { Action } from './actions.js';

/** AuthRequest describes what a peer asks for, and from where. */
export interface AuthRequest {
  action: Action;
  /** stream the action is on; absent for the API and metrics. */
  stream?: string;
  /** address of the peer as its socket reports it. */
  address: string;
  transport: 'tcp' | 'udp' | 'http' | 'ws';
}

/** Decision is an Authenticator's answer; a refusal carries the code to send and one line saying what to do. */
export type Decision =
  | {
      ok: true;
      /** user that was verified ('' for the --token credential and for anonymous peers). */
      user: string;
      /** key: after verifyProof, the session key both ends share (UDP tags control messages with it). */
      key?: Buffer;
      /** serverSignature: after verifyProof, send it to the client so it can check the hub (clientSession().verifyServer). */
      serverSignature?: Buffer;
    }
  | { ok: false; code: 'CAMWIRE_ERR_UNAUTHORIZED' | 'CAMWIRE_ERR_FORBIDDEN'; message: string };
