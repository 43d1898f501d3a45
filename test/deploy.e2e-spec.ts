import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as yaml from 'js-yaml';
import { settingNames } from './support/settings.js';

/**
 * The deployment descriptions: the kustomize base renders with Debian's kubectl and holds what
 * an operator needs (probes, budgets, limits, secrets by reference); the Dockerfile and the
 * compose file describe the same stack.
 */
const ROOT = process.cwd();
const run = promisify(execFile);

type Obj = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> } & Record<string, unknown>;
type Container = {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
};
type PodSpec = { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } };

let renderedOnce: Promise<Obj[]> | undefined;
/** The base as kubectl renders it, once per file (every test reads the same output). */
function rendered(): Promise<Obj[]> {
  renderedOnce ??= run('kubectl', ['kustomize', join(ROOT, 'deploy/kubernetes')], { maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout }) => yaml.loadAll(stdout) as Obj[],
  );
  return renderedOnce;
}

function podSpec(o: Obj): PodSpec {
  return (o.spec as { template: { spec: PodSpec } }).template.spec;
}

describe('deploy/kubernetes (kustomize base)', () => {
  it('renders every object an operator needs', async () => {
    const kinds = (await rendered()).map((o) => `${o.kind}/${o.metadata.name}`.replace(/-[a-z0-9]{10}$/, ''));
    expect(kinds.sort()).toEqual(
      [
        'ConfigMap/imtegrate-config',
        'Deployment/imtegrate-api',
        'Deployment/imtegrate-worker',
        'HorizontalPodAutoscaler/imtegrate-api',
        'HorizontalPodAutoscaler/imtegrate-worker',
        'Job/imtegrate-migrate',
        'PodDisruptionBudget/imtegrate-api',
        'PodDisruptionBudget/imtegrate-worker',
        'Service/imtegrate-api',
      ].sort(),
    );
  });

  it('runs the API, the worker and the migrations from one image, each by its command', async () => {
    const objs = await rendered();
    const commands = Object.fromEntries(
      objs.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => [o.metadata.name, podSpec(o).containers.map((c) => [c.image, c.command])]),
    );
    expect(commands).toEqual({
      'imtegrate-api': [['imtegrate:latest', ['node', 'dist/main.js']]],
      'imtegrate-worker': [['imtegrate:latest', ['node', 'dist/worker.js']]],
      'imtegrate-migrate': [['imtegrate:latest', ['node', 'dist/database/migrate.main.js']]],
    });
  });

  it('gives long-running workloads probes, requests and limits, and runs every pod unprivileged', async () => {
    for (const o of (await rendered()).filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      const spec = podSpec(o);
      expect([o.metadata.name, spec.securityContext?.runAsNonRoot]).toEqual([o.metadata.name, true]);
      for (const c of spec.containers) {
        expect(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory).toBeTruthy();
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        if (o.kind === 'Deployment') {
          expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
          // Both processes answer /readyz (the worker on its health port): ready only with PostgreSQL and Redis.
          expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
        }
      }
    }
  });

  it('scales both tiers on their own and keeps each available through disruptions', async () => {
    const objs = await rendered();
    for (const target of ['imtegrate-api', 'imtegrate-worker']) {
      const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === target);
      expect(hpa?.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: target }, minReplicas: 2 });
      const pdb = objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === target);
      expect((pdb?.spec as { selector: unknown }).selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': target } });
    }
  });

  it('takes secrets only by reference and configures only settings the service knows', async () => {
    const objs = await rendered();
    const known = settingNames();
    const config = objs.find((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
    expect(Object.keys(config.data).filter((k) => !known.has(k))).toEqual([]);
    expect(Object.keys(config.data).filter((k) => /SECRET|PASSWORD|KEY/.test(k))).toEqual([]);
    for (const o of objs.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      for (const c of podSpec(o).containers) {
        expect(c.envFrom?.[0]?.configMapRef?.name).toBe((config as unknown as Obj).metadata.name);
        for (const e of c.env ?? []) {
          expect(known.has(e.name)).toBe(true);
          if (/SECRET|TOKEN|PASSWORD|DATABASE_URL/.test(e.name)) expect(e.valueFrom?.secretKeyRef).toMatchObject({ name: 'imtegrate-secrets', key: e.name });
        }
      }
    }
  });
});

describe('deploy/kubernetes: metrics', () => {
  it('annotates API and worker pods for Prometheus on the port that serves /metrics, and takes METRICS_TOKEN from the Secret', async () => {
    const objs = await rendered();
    for (const [name, portName] of [['imtegrate-api', 'http'], ['imtegrate-worker', 'health']] as const) {
      const o = objs.find((x) => x.kind === 'Deployment' && x.metadata.name === name) as Obj;
      const template = (o.spec as { template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec } }).template;
      const c = template.spec.containers[0] as Container & { ports?: { name: string; containerPort: number }[] };
      const port = c.ports?.find((p) => p.name === portName)?.containerPort;
      expect([name, template.metadata.annotations]).toEqual([
        name,
        { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' },
      ]);
      // Optional in the Secret: without it /metrics is open, as METRICS_TOKEN unset means.
      expect(c.env?.find((e) => e.name === 'METRICS_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'imtegrate-secrets', key: 'METRICS_TOKEN', optional: true });
    }
  });
});

describe('Dockerfile and docker-compose.yml', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const compose = yaml.load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { command?: string[]; healthcheck?: { test: string[] }; deploy?: { replicas?: number }; depends_on?: Record<string, { condition: string }> }>;
  };

  it('builds in stages and runs as a non-root user with the fonts installed', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    for (const pkg of ['fonts-noto-core', 'fonts-noto-cjk', 'fonts-noto-color-emoji']) expect(dockerfile).toContain(pkg);
  });

  it('runs postgres, redis, a one-shot migrate, the API and two workers, with health checks', () => {
    const s = compose.services;
    expect(Object.keys(s).sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'worker']);
    expect(s.migrate.command).toEqual(['node', 'dist/database/migrate.main.js']);
    expect(s.worker.command).toEqual(['node', 'dist/worker.js']);
    expect(s.worker.deploy?.replicas).toBe(2);
    for (const name of ['postgres', 'redis', 'api', 'worker']) expect(s[name].healthcheck?.test.length).toBeGreaterThan(0);
    for (const name of ['api', 'worker']) expect(s[name].depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
  });
});
