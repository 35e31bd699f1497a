import { z } from 'zod';
import type { ErrorKind } from '../errors/stepwise-error.js';
import type { AttachedClient, DriftItem, LiveState, NextAction, ConnectionView, PhaseRun } from '../engine/engine-api.js';
import type { JournalEvent } from '../journal/events.js';
import type { ForecastBasis } from '../journal/forecast/forecast-run.js';
import type { RunState } from '../journal/reducer.js';
import type { RunbookView } from '../runbook/loaded-runbook.js';

// The engine's socket protocol: one JSON object per line each way. ARCHITECTURE.md (The engine
// process and its socket) describes it for people; this file is what both sides check against
// (the engine checks what clients send with these schemas; clients import only its types, so a
// screen's process never loads zod). Its version and the identity proof's file are in handshake.ts.

export const roles = ['operator', 'watcher'] as const;
export type Role = (typeof roles)[number];

const confirmation = z.object({ phrase: z.string().optional(), note: z.string().optional() }).strict();

// Every intent a client may send, by name, with its arguments. The engine decides whether it is
// allowed; the client only asks.
export const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('runStep'), step: z.string(), confirmation: confirmation.optional() }),
  z.object({
    intent: z.literal('runPhase'),
    phase: z.string(),
    // The steps the one confirmation of the phase covers, as the operator was shown them.
    confirmation: z.object({ steps: z.array(z.string()), note: z.string().optional() }).strict().optional(),
  }),
  z.object({ intent: z.literal('signStep'), step: z.string(), note: z.string() }),
  z.object({ intent: z.literal('signGate'), phase: z.string(), note: z.string() }),
  z.object({ intent: z.literal('skip'), step: z.string(), reason: z.string() }),
  z.object({ intent: z.literal('endSoak'), step: z.string(), reason: z.string() }),
  z.object({ intent: z.literal('markDone'), step: z.string(), note: z.string() }),
  z.object({ intent: z.literal('rollbackPlan'), to: z.string().optional() }),
  z.object({
    intent: z.literal('rollback'),
    to: z.string().optional(),
    note: z.string().optional(),
    pastWindow: z.object({ reason: z.string() }).strict().optional(),
    // The typed phrases of the steps the rollback passes back over, by step.
    confirm: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ intent: z.literal('cancel') }),
  // Attaching: the run's servers are still the targets pinned at run.started, or refused naming both.
  z.object({ intent: z.literal('checkTargets') }),
  // `afterStep`: the running step finishes first (Ctrl+C in the TUI: pause after this step).
  z.object({ intent: z.literal('pause'), reason: z.string(), afterStep: z.boolean().optional() }),
  z.object({
    intent: z.literal('backfillControl'),
    step: z.string(),
    control: z.object({ paused: z.boolean().optional(), batchSize: z.number().int().positive().optional() }),
  }),
  // Headless: the engine drives the run to its end or to the first decision an operator must take.
  // `phrases`: --confirm STEP=PHRASE; `endSoak`: --end-soak STEP --reason TEXT.
  z.object({
    intent: z.literal('drive'),
    yes: z.boolean(),
    retry: z.array(z.string()),
    markDone: z.array(z.string()),
    phrases: z.record(z.string(), z.string()).optional(),
    endSoak: z.object({ step: z.string(), reason: z.string() }).strict().optional(),
  }),
  // Headless rollback: the plan is said first; with `yes` it is carried out.
  z.object({
    intent: z.literal('driveRollback'),
    yes: z.boolean(),
    to: z.string().optional(),
    pastWindow: z.object({ reason: z.string() }).strict().optional(),
    phrases: z.record(z.string(), z.string()).optional(),
  }),
]);
export type Intent = z.infer<typeof intentSchema>;
export type IntentName = Intent['intent'];

// Intents a watcher may send: the ones that change nothing.
export const readOnlyIntents: ReadonlySet<IntentName> = new Set(['rollbackPlan']);

const intentRequest = z.object({ type: z.literal('intent'), body: intentSchema });
// A page of a step's log (the log view, a failed step's last lines): answered `done` with the
// page, or without a result when the step has no log that can be read. Changes nothing.
const logPageRequest = z.object({
  type: z.literal('logPage'),
  step: z.string(),
  position: z.union([
    z.object({ from: z.number().int().nonnegative() }).strict(),
    z.object({ before: z.number().int().nonnegative().optional() }).strict(),
  ]),
  count: z.number().int().positive().max(10_000),
});

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    protocol: z.number().int(),
    role: z.enum(roles),
    // A display name (--operator); who the client is comes from the identity proof.
    display: z.string().max(200).optional(),
    host: z.string().max(255),
    ssh: z.string().max(255).optional(),
  }),
  z.object({ type: z.literal('prove') }),
  // `snapshot`: the run's state as it is now instead of a replay of every event (the screen and
  // the plain printer need the state, the JSON printer every event), with the events since the
  // last client left.
  z.object({ type: z.literal('subscribe'), from: z.number().int().nonnegative(), snapshot: z.boolean().optional() }),
  intentRequest.extend({ id: z.number().int() }),
  logPageRequest.extend({ id: z.number().int() }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// Team mode: a front end attaching through the state database asks for what happened while nobody
// was attached (a socket client's snapshot carries it); answered `done` with the events.
const unattendedRequest = z.object({ type: z.literal('unattended') }).strict();

// What a client asks besides its subscription, without the id its answer is matched by: on the
// socket a message, in team mode also the body of an intent row (the row's id is the id).
export const requestSchema = z.discriminatedUnion('type', [intentRequest, logPageRequest, unattendedRequest]);
export type Request = z.infer<typeof requestSchema>;

// What does not change while the engine lives: sent once, on subscribe.
export interface StaticView {
  runbook: RunbookView;
  connections: ConnectionView[];
  drift: DriftItem[];
  preview: Record<string, string>;
  gatePreview: Record<string, string>;
  numbers: Record<string, string>;
  operator?: string;
  forecast?: ForecastBasis;
}

export type EngineMessage =
  | { type: 'welcome'; protocol: number; runId: string; nonce: string; proofDir: string }
  | { type: 'identified'; user: string; uid: number; role: Role }
  | { type: 'view'; view: StaticView }
  | { type: 'event'; event: JournalEvent }
  // Instead of the replay when asked: the state through `seq`, and what happened while nobody
  // was attached (the events since the last client left, without the volatile ones).
  | { type: 'snapshot'; run: RunState; seq: number; unattended: JournalEvent[] }
  // Sent after the replay: every event up to `seq` has been sent; what follows is live.
  | { type: 'caught-up'; seq: number }
  | { type: 'live'; live: LiveState; next: NextAction; phaseRun?: PhaseRun; clients: AttachedClient[] }
  // A sentence for the person at this client (the headless drive says why it stopped).
  | { type: 'say'; text: string }
  | { type: 'done'; id: number; result?: unknown }
  // `id` is absent when the refusal is about a line that was not an intent.
  | { type: 'refused'; id?: number; message: string; kind?: ErrorKind }
  // The engine stops at once (the journal cannot be written): why, before it closes every
  // connection and exits.
  | { type: 'stopped'; message: string; kind: ErrorKind };
