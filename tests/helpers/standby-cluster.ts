import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import postgres from 'postgres';

// A PostgreSQL primary and a streaming standby of its own, made with the Debian cluster tools on
// free ports (never the shared server's), for tests of replica lag. Needs root, as CI has.
export interface StandbyPair {
  primaryUrl: string;
  // Replay on the standby stops (WAL still arrives, so the primary sees the lag grow) or goes on.
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  // Resolves once the primary sees its standby streaming and caught up.
  caughtUp(): Promise<void>;
  drop(): Promise<void>;
}

export const canMakeClusters =
  process.getuid?.() === 0 && existsSync('/usr/bin/pg_createcluster') && existsSync('/usr/lib/postgresql');

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

export async function createStandbyPair(tag: string): Promise<StandbyPair> {
  const version = readdirSync('/usr/lib/postgresql').sort().at(-1)!;
  const primary = `stepwise_${tag}_${process.pid}`;
  const standby = `${primary}_standby`;
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const quick = ['-o', 'fsync=off', '-o', 'shared_buffers=16MB'];
  const drop = async () => {
    for (const name of [standby, primary]) {
      await execa('pg_dropcluster', ['--stop', version, name], { reject: false });
    }
  };
  await drop();
  try {
    await execa('pg_createcluster', [version, primary, '-p', String(primaryPort), ...quick, '--', '--auth=trust', '--no-sync']);
    await execa('pg_ctlcluster', ['--skip-systemctl-redirect', version, primary, 'start']);
    // The standby: a base backup with its own configuration, taken into the cluster tools.
    const data = `/var/lib/postgresql/${version}/${standby}`;
    const owner = await execa('id', ['-u', 'postgres']);
    const group = await execa('id', ['-g', 'postgres']);
    const [uid, gid] = [Number(owner.stdout), Number(group.stdout)];
    mkdirSync(data, { recursive: true, mode: 0o700 });
    chownSync(data, uid, gid);
    await execa('runuser', ['-u', 'postgres', '--', 'pg_basebackup', '-h', '127.0.0.1', '-p', String(primaryPort),
      '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    const files: Record<string, string> = {
      // Replies every second, so the primary's view of the lag follows within a second.
      'postgresql.conf': `port = ${standbyPort}\nfsync = off\nshared_buffers = 16MB\nwal_receiver_status_interval = 1s\n`,
      'pg_hba.conf': 'local all all trust\nhost all all 127.0.0.1/32 trust\n',
      'pg_ident.conf': '',
    };
    for (const [file, text] of Object.entries(files)) {
      writeFileSync(join(data, file), text);
      chownSync(join(data, file), uid, gid);
    }
    await execa('pg_createcluster', [version, standby, '-p', String(standbyPort), '-d', data]);
    await execa('pg_ctlcluster', ['--skip-systemctl-redirect', version, standby, 'start']);
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
