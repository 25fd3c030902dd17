/**
 * s3rver in-process on 127.0.0.1, a random port and a temp dir, with a bucket of its own per test file.
 * stop()/restart() simulate an S3 outage: the server goes away and comes back on the same port with
 * the same data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { createS3Client } from '../../src/storage/s3.js';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

export interface TestS3 {
  endpoint: string;
  port: number;
  bucket: string;
  client: S3Client;
  /** Env for a worker or CLI process pointing at this server and bucket. */
  env: Record<string, string>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Download an object fully. */
  get(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

export function randomName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function startS3(opts: { createBucket?: boolean } = {}): Promise<TestS3> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-s3rver-'));
  const start = async (port: number) => {
    const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir }) as S3rverInstance;
    const info = await server.run();
    return { server, port: info.port };
  };
  const first = await start(0);
  let server = first.server;
  const port = first.port;
  let running = true;
  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = randomName('bucket').toLowerCase();
  const config = { S3_ENDPOINT: endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true };
  const client = createS3Client(config);
  if (opts.createBucket ?? false) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    port,
    bucket,
    client,
    env: { S3_ENDPOINT: endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', S3_REGION: 'us-east-1', S3_BUCKET: bucket },
    async stop() {
      if (!running) return;
      await server.close();
      running = false;
    },
    async restart() {
      if (running) return;
      ({ server } = await start(port));
      running = true;
    },
    async get(key: string) {
      const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    },
    async close() {
      client.destroy();
      if (running) await server.close();
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
