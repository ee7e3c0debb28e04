/**
 * Jobs (jobs): long actions (import, purify, report...) with their state, progress and owner, so
 * that one stopped by a crash or a cancel is seen as such and can be resumed.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { hostname } from 'node:os';
import { UserInputError } from '../../errors/user-input-error.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { JobRecord, JobState } from '../records.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';
import type { CaseStore } from './case-store.ts';

/** Audit entries written by the program itself rather than on a person's behalf. */
export const SYSTEM_EXAMINER = 'acsr (automatic)';

/** A jobs row as stored. */
export interface JobRow {
  id: number;
  case_id: number;
  kind: string;
  state: JobState;
  progress_done: number;
  progress_total: number | null;
  /** Canonical JSON. */
  parameters: string;
  error: string | null;
  examiner_id: number;
  owner_pid: number | null;
  owner_host: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

type JobReadRow = Omit<JobRow, 'case_id' | 'examiner_id'> & { examiner: string };

export function jobFromRow(row: JobReadRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    progressDone: row.progress_done,
    progressTotal: row.progress_total,
    parameters: JSON.parse(row.parameters),
    error: row.error,
    examiner: row.examiner,
    ownerPid: row.owner_pid,
    ownerHost: row.owner_host,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

const SELECT_JOBS = `SELECT j.id, j.kind, j.state, j.progress_done, j.progress_total, j.parameters, j.error, e.name AS examiner,
    j.owner_pid, j.owner_host, j.created_at, j.updated_at, j.finished_at
  FROM jobs j JOIN examiners e ON e.id = j.examiner_id ORDER BY j.id`;
const SELECT_JOB = `SELECT j.id, j.kind, j.state, j.progress_done, j.progress_total, j.parameters, j.error, e.name AS examiner,
    j.owner_pid, j.owner_host, j.created_at, j.updated_at, j.finished_at
  FROM jobs j JOIN examiners e ON e.id = j.examiner_id WHERE j.id = ?`;
const SELECT_RUNNING_OWNERS = `SELECT id, owner_pid, owner_host FROM jobs WHERE state = 'running'`;
const INSERT_JOB = `INSERT INTO jobs (case_id, kind, state, progress_total, parameters, examiner_id, owner_pid, owner_host, created_at, updated_at)
  VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`;
const RESUME_JOB = `UPDATE jobs SET state = 'running', error = NULL, finished_at = NULL, owner_pid = ?, owner_host = ?, updated_at = ? WHERE id = ?`;
const SET_TOTAL = 'UPDATE jobs SET progress_total = ?, updated_at = ? WHERE id = ?';
const ADVANCE = 'UPDATE jobs SET progress_done = progress_done + 1, updated_at = ? WHERE id = ?';
const FINISH_JOB = 'UPDATE jobs SET state = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?';
const INTERRUPT_JOB = `UPDATE jobs SET state = 'interrupted', error = ?, updated_at = ? WHERE id = ?`;

export type FinishedJobState = Exclude<JobState, 'running' | 'interrupted'>;

export class JobStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #cases: CaseStore;

  constructor(db: SqliteDatabase, write: CaseWritePath, cases: CaseStore) {
    this.#db = db;
    this.#write = write;
    this.#cases = cases;
  }

  start(input: { kind: string; parameters: Record<string, unknown>; examiner: string; total?: number }): JobRecord {
    return this.#write.run(() => {
      const examinerId = this.#write.examinerId(input.examiner);
      const now = utcNow();
      const jobId = Number(
        this.#db
          .prepare(INSERT_JOB)
          .run(this.#cases.get().id, input.kind, input.total ?? null, canonicalJson(input.parameters), examinerId, process.pid, hostname(), now, now)
          .lastInsertRowid,
      );
      this.#write.audit({ examiner: input.examiner, action: `${input.kind}-start`, subject: `job:${jobId}`, parameters: input.parameters });
      return this.get(jobId);
    });
  }

  /** Takes over a job that stopped before finishing; it becomes this process's running job. */
  resume(jobId: number, examiner: string): JobRecord {
    return this.#write.run(() => {
      const job = this.get(jobId);
      if (job.state === 'running' || job.state === 'completed') {
        throw new UserInputError(`job ${jobId} is ${job.state}; only interrupted, cancelled or failed jobs can be resumed`);
      }
      this.#write.examinerId(examiner);
      this.#db.prepare(RESUME_JOB).run(process.pid, hostname(), utcNow(), jobId);
      this.#write.audit({
        examiner,
        action: `${job.kind}-resume`,
        subject: `job:${jobId}`,
        parameters: { previousState: job.state, alreadyHandled: job.progressDone },
      });
      return this.get(jobId);
    });
  }

  /** Progress bookkeeping, not a fact of the case: no audit entry. */
  setTotal(jobId: number, total: number): void {
    this.#db.prepare(SET_TOTAL).run(total, utcNow(), jobId);
  }

  /** One more source handled; called inside the write that records the outcome. */
  advance(jobId: number, now: string): void {
    this.#db.prepare(ADVANCE).run(now, jobId);
  }

  finish(jobId: number, state: FinishedJobState, examiner: string, details: { error?: string; summary?: Record<string, unknown> } = {}): JobRecord {
    return this.#write.run(() => {
      const job = this.get(jobId);
      const now = utcNow();
      this.#db.prepare(FINISH_JOB).run(state, details.error ?? null, now, now, jobId);
      const action = `${job.kind}-${state === 'completed' ? 'finish' : state === 'cancelled' ? 'cancel' : 'fail'}`;
      this.#write.audit({
        examiner,
        action,
        subject: `job:${jobId}`,
        parameters: { ...(details.summary ?? {}), ...(details.error === undefined ? {} : { error: details.error }) },
      });
      return this.get(jobId);
    });
  }

  /**
   * Jobs left 'running' by a process that no longer exists (killed, crashed, power cut) are
   * marked interrupted, with an audit entry, so that nobody mistakes them for work in progress.
   * A job owned by a live process on this host is left alone; one from another host cannot be
   * checked and is left alone too.
   */
  markAbandoned(): JobRecord[] {
    const running = this.#db.prepare(SELECT_RUNNING_OWNERS).all() as Pick<JobRow, 'id' | 'owner_pid' | 'owner_host'>[];
    const abandoned = running.filter((job) => job.owner_host === hostname() && (job.owner_pid === null || !isProcessAlive(job.owner_pid)));
    return abandoned.map(({ id }) =>
      this.#write.run(() => {
        const job = this.get(id);
        if (job.state !== 'running') return job;
        this.#db.prepare(INTERRUPT_JOB).run(`process ${job.ownerPid} ended without finishing the job`, utcNow(), id);
        this.#write.audit({
          examiner: SYSTEM_EXAMINER,
          action: 'job-interrupted',
          subject: `job:${id}`,
          parameters: { kind: job.kind, ownerPid: job.ownerPid, handled: job.progressDone, total: job.progressTotal },
        });
        return this.get(id);
      }),
    );
  }

  get(jobId: number): JobRecord {
    const row = this.#db.prepare(SELECT_JOB).get(jobId) as JobReadRow | undefined;
    if (!row) throw new UserInputError(`no job ${jobId} in this case`);
    return jobFromRow(row);
  }

  all(filter: { kind?: string; states?: readonly JobState[] } = {}): JobRecord[] {
    return (this.#db.prepare(SELECT_JOBS).all() as JobReadRow[])
      .map(jobFromRow)
      .filter((job) => (filter.kind === undefined || job.kind === filter.kind) && (filter.states === undefined || filter.states.includes(job.state)));
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
