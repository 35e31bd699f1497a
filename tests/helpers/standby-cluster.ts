import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import postgres from 'postgres';

// A PostgreSQL primary and a streaming standby of its own, made with the server's own tools
// (initdb, pg_basebackup, pg_ctl) in temporary directories on free ports, never the shared
// server's. They are not registered with the Debian cluster tools, so a pg_dump elsewhere in the
// suite never sees a cluster half made. Needs root (to act as postgres), as CI has.
export interface StandbyPair {
  primaryUrl: string;
  // Replay on the standby stops (WAL still arrives, so the primary sees the lag grow) or goes on.
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  // Resolves once the primary sees its standby streaming and caught up.
  caughtUp(): Promise<void>;
  drop(): Promise<void>;
}

const binDir = existsSync('/usr/lib/postgresql')
  ? join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().at(-1)!, 'bin')
  : '';

export const canMakeClusters = process.getuid?.() === 0 && binDir !== '' && existsSync(join(binDir, 'initdb'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(what: string, condition: () => Promise<boolean>, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

// Runs one of the server's tools as postgres (it refuses to run as root).
function asPostgres(tool: string, args: string[]) {
  return execa('runuser', ['-u', 'postgres', '--', join(binDir, tool), ...args]);
}

export async function createStandbyPair(tag: string): Promise<StandbyPair> {
  const root = mkdtempSync(join(tmpdir(), `stepwise-${tag}-`));
  const [primary, standby] = [join(root, 'primary'), join(root, 'standby')];
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const owner = await execa('id', ['-u', 'postgres']);
  const group = await execa('id', ['-g', 'postgres']);
  chownSync(root, Number(owner.stdout), Number(group.stdout));
  // Replies every second, so the primary's view of the lag follows within a second.
  const options = (port: number) =>
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off ` +
    '-c shared_buffers=16MB -c wal_receiver_status_interval=1s';
  const start = (data: string, port: number) =>
    asPostgres('pg_ctl', ['-D', data, '-l', `${data}.log`, '-o', options(port), '-w', 'start']);
  const drop = async () => {
    for (const data of [standby, primary]) {
      if (existsSync(data)) await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await asPostgres('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await start(primary, primaryPort);
    // The standby: a base backup that streams from the primary (-R writes standby.signal and
    // primary_conninfo).
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres',
      '-D', standby, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    await start(standby, standbyPort);
  } catch (error) {
    await drop();
    throw error;
  }
  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  const onPrimary = postgres(primaryUrl, { max: 1, onnotice: () => {} });
  const onStandby = postgres(`postgres://postgres@127.0.0.1:${standbyPort}/postgres`, { max: 1, onnotice: () => {} });
  const pair: StandbyPair = {
    primaryUrl,
    pauseReplay: async () => {
      await onStandby.unsafe('SELECT pg_wal_replay_pause()');
    },
    resumeReplay: async () => {
      await onStandby.unsafe('SELECT pg_wal_replay_resume()');
    },
    caughtUp: () =>
      until('the standby streaming and caught up', async () => {
        const rows = await onPrimary.unsafe(
          "SELECT 1 FROM pg_stat_replication WHERE state = 'streaming' AND replay_lsn >= pg_current_wal_lsn()",
        );
        return rows.length > 0;
      }),
    drop: async () => {
      await Promise.all([onPrimary.end({ timeout: 1 }), onStandby.end({ timeout: 1 })]);
      await drop();
    },
  };
  await pair.caughtUp();
  return pair;
}
