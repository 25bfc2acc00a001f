// Validates the Kubernetes manifests in deploy/k8s without a cluster (no kubeconform here): every
// document parses, has the fields its kind needs, and points at things that exist; the apps get only
// environment variables they read (taken from their config schemas, so a renamed key fails here);
// probes reach the ports the apps listen on; NATS's configuration passes `nats-server -t`.
import { DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_ATTACHMENTS_PER_MESSAGE } from '@helpdesk/contracts';
import { natsServerBinary } from '@helpdesk/testing';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadAll } from 'js-yaml';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const k8sDir = join(root, 'deploy/k8s');
const apps = readdirSync(join(root, 'apps'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
/** The image an app's container runs: the Dockerfile built with `--build-arg APP=<app>`. */
const imageOf = (app: string) => `helpdesk-${app}`;
/** libs/kit closeOnSignals: a process still running this long after SHUTDOWN_GRACE_MS exits anyway. */
const FORCED_EXIT_AFTER_GRACE_MS = 5_000;
const SECRET_NAME = 'helpdesk-secrets';

type Labels = Record<string, string>;
interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels; annotations?: Labels };
  spec?: unknown;
  data?: Record<string, unknown>;
}
interface Kustomization {
  file: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
}
type PortRef = number | string;
interface Probe {
  httpGet?: { path: string; port: PortRef };
  tcpSocket?: { port: PortRef };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}
interface Container {
  name: string;
  image?: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Labels; limits?: Labels };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  terminationGracePeriodSeconds?: number;
}
interface Workload extends Manifest {
  spec: {
    replicas?: number;
    serviceName?: string;
    selector?: { matchLabels: Labels };
    template: { metadata: { labels: Labels }; spec: PodSpec };
  };
}
interface Service extends Manifest {
  spec: {
    clusterIP?: string;
    selector: Labels;
    ports: { name: string; port: number; targetPort: PortRef }[];
  };
}

/** Every YAML file under deploy/k8s, as paths relative to it. */
function yamlFiles(dir = k8sDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [relative(k8sDir, path)] : [];
  });
}

/** Every document of every YAML file, with the file it came from. */
const documents = yamlFiles().flatMap((file) =>
  loadAll(readFileSync(join(k8sDir, file), 'utf8'))
    .filter((doc) => doc !== null)
    .map((doc) => ({ ...(doc as Record<string, unknown>), file })),
);
const isKustomization = (doc: Record<string, unknown>) => doc.kind === 'Kustomization';
const kustomizations = documents.filter(isKustomization) as unknown as Kustomization[];
const manifests = documents.filter((doc) => !isKustomization(doc)) as unknown as Manifest[];

const ofKind = <T extends Manifest = Manifest>(kind: string) =>
  manifests.filter((m) => m.kind === kind) as T[];
const named = <T extends Manifest = Manifest>(kind: string, name: string): T => {
  const found = ofKind<T>(kind).find((m) => m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} in deploy/k8s`);
  return found;
};
const workloads = () => [...ofKind<Workload>('Deployment'), ...ofKind<Workload>('StatefulSet')];
const podSpecs = () =>
  [...workloads(), ...ofKind<Workload>('Job')].map((w) => ({ owner: w, pod: w.spec.template.spec }));
/** The app whose image a container runs, if it runs one of ours. */
const appOf = (container: Container) => apps.find((app) => container.image === imageOf(app));
const appContainers = () =>
  podSpecs().flatMap(({ owner, pod }) =>
    pod.containers.flatMap((container) => {
      const app = appOf(container);
      return app ? [{ owner, pod, container, app }] : [];
    }),
  );
/** The app containers that serve (the Deployments'), not the migration Job's. */
const servingContainers = () => appContainers().filter(({ owner }) => owner.kind !== 'Job');
const selects = (selector: Labels, labels: Labels) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
const containerPort = (container: Container, port: PortRef) =>
  container.ports?.find((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port))
    ?.containerPort;

/**
 * A container's environment as Kubernetes builds it: the ConfigMaps of `envFrom`, then `env`. A value
 * from a Secret or the downward API is known by name only (undefined).
 */
function environmentOf(container: Container): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) throw new Error(`${container.name}: envFrom a Secret hides which keys it sets`);
    const configMap = named('ConfigMap', source.configMapRef!.name);
    for (const [key, value] of Object.entries(configMap.data ?? {})) env.set(key, String(value));
  }
  for (const variable of container.env ?? []) {
    const fromConfigMap = variable.valueFrom?.configMapKeyRef;
    env.set(
      variable.name,
      fromConfigMap
        ? String(named('ConfigMap', fromConfigMap.name).data?.[fromConfigMap.key])
        : variable.value,
    );
  }
  return env;
}

/** The environment keys an app validates at start: its config schema's (apps/<app>/src/config.ts). */
async function keysReadBy(app: string): Promise<string[]> {
  const config = (await import(`../../apps/${app}/src/config.js`)) as Record<string, { shape?: object }>;
  const schema = config[`${app[0].toUpperCase()}${app.slice(1)}Env`];
  if (!schema?.shape) throw new Error(`apps/${app}/src/config.ts exports no ${app} environment schema`);
  return Object.keys(schema.shape);
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  const keysByApp = new Map<string, string[]>();

  beforeAll(async () => {
    for (const app of apps) keysByApp.set(app, await keysReadBy(app));
  });

  it('parses every document and finds the fields every object needs', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) {
      const where = `${manifest.file}: ${manifest.kind}/${manifest.metadata?.name}`;
      expect({ where, apiVersion: typeof manifest.apiVersion, kind: typeof manifest.kind }).toEqual({
        where,
        apiVersion: 'string',
        kind: 'string',
      });
      expect({ where, name: manifest.metadata?.name }).toEqual({
        where,
        name: expect.stringMatching(/^[a-z0-9-]+$/),
      });
      // Labels, annotations and ConfigMap values must be strings: `true` or `3000` unquoted is refused.
      for (const map of [manifest.metadata.labels, manifest.metadata.annotations, manifest.data])
        for (const [key, value] of Object.entries(map ?? {}))
          expect({ where, key, value: typeof value }).toEqual({ where, key, value: 'string' });
    }
    const ids = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    for (const { pod } of podSpecs())
      for (const container of pod.containers)
        for (const variable of container.env ?? [])
          expect({ variable: variable.name, value: typeof (variable.value ?? '') }).toEqual({
            variable: variable.name,
            value: 'string',
          });
  });

  it('lists in each kustomization exactly the files beside it, and every file is in one', () => {
    const directories = new Set(yamlFiles().map((file) => dirname(file)));
    expect([...directories].sort()).toEqual(kustomizations.map((k) => dirname(k.file)).sort());
    for (const kustomization of kustomizations) {
      const dir = dirname(kustomization.file);
      const beside = yamlFiles()
        .filter((file) => dirname(file) === dir && file !== kustomization.file)
        .map((file) => relative(dir, file));
      expect({
        kustomization: kustomization.file,
        resources: [...(kustomization.resources ?? [])].sort(),
      }).toEqual({
        kustomization: kustomization.file,
        resources: beside.sort(),
      });
    }
  });

  it('maps every app image in the kustomization that deploys it, the same in every kustomization', () => {
    const mapping = new Map<string, string>();
    for (const kustomization of kustomizations) {
      const dir = dirname(kustomization.file);
      const used = appContainers()
        .filter(({ owner }) => dirname(owner.file) === dir)
        .map(({ container }) => container.image!);
      expect(kustomization.images?.map((image) => image.name).sort()).toEqual([...new Set(used)].sort());
      for (const image of kustomization.images ?? []) {
        const target = `${image.newName}:${image.newTag}`;
        expect(`${image.name} -> ${mapping.get(image.name) ?? target}`).toBe(`${image.name} -> ${target}`);
        mapping.set(image.name, target);
      }
    }
  });

  it('has a Deployment with a Service for every app in apps/', () => {
    expect(apps.length).toBeGreaterThanOrEqual(5);
    for (const app of apps) {
      const deployment = named<Workload>('Deployment', app);
      expect(deployment.spec.template.spec.containers.map((c) => c.image)).toContain(imageOf(app));
      const service = named<Service>('Service', app);
      expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('gives every workload a selector matching its pods, and every container an image, resources and probes on its ports', () => {
    for (const workload of workloads()) {
      const { selector, template } = workload.spec;
      expect({
        workload: workload.metadata.name,
        matches: !!selector && selects(selector.matchLabels, template.metadata.labels),
      }).toEqual({
        workload: workload.metadata.name,
        matches: true,
      });
      for (const container of template.spec.containers) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect({ where, image: container.image }).toEqual({ where, image: expect.any(String) });
        expect({
          where,
          requests: container.resources?.requests,
          memoryLimit: container.resources?.limits?.memory,
        }).toEqual({
          where,
          requests: { cpu: expect.any(String), memory: expect.any(String) },
          memoryLimit: expect.any(String),
        });
        for (const kind of ['readinessProbe', 'livenessProbe'] as const) {
          const probe = container[kind];
          const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
          expect({
            where,
            kind,
            port: port === undefined ? undefined : containerPort(container, port),
          }).toEqual({
            where,
            kind,
            port: expect.any(Number),
          });
        }
      }
    }
    for (const job of ofKind<Workload>('Job'))
      for (const container of job.spec.template.spec.containers)
        expect(container.resources?.limits?.memory).toEqual(expect.any(String));
  });

  it('runs every pod as the restricted Pod Security profile demands, with a read-only root file system', () => {
    for (const { owner, pod } of podSpecs()) {
      const where = owner.metadata.name;
      expect({ where, ...pod.securityContext }).toMatchObject({
        where,
        runAsNonRoot: true,
        // The image names its user (`node`); the kubelet can only check a numeric one is not root.
        runAsUser: expect.any(Number),
        seccompProfile: { type: 'RuntimeDefault' },
      });
      const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
      const claimTemplates = (
        (owner.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? []
      ).map((t) => t.metadata.name);
      for (const container of pod.containers) {
        expect({ where, container: container.name, ...container.securityContext }).toEqual({
          where,
          container: container.name,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        for (const mount of container.volumeMounts ?? [])
          expect({
            where,
            mount: mount.name,
            declared: volumes.has(mount.name) || claimTemplates.includes(mount.name),
          }).toEqual({ where, mount: mount.name, declared: true });
      }
      for (const volume of pod.volumes ?? []) {
        if (volume.persistentVolumeClaim)
          named('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
        if (volume.configMap) named('ConfigMap', volume.configMap.name);
      }
    }
  });

  it('sets in each app container only environment variables its app reads', () => {
    expect(appContainers().length).toBeGreaterThan(apps.length);
    for (const { owner, container, app } of appContainers()) {
      const readByApp = keysByApp.get(app)!;
      const unread = [...environmentOf(container).keys()].filter((key) => !readByApp.includes(key));
      expect({ workload: owner.metadata.name, app, unread }).toEqual({
        workload: owner.metadata.name,
        app,
        unread: [],
      });
    }
  });

  it('serves the probes on the port each app listens on, from all interfaces', () => {
    for (const { container, app } of servingContainers()) {
      const env = environmentOf(container);
      const listens = app === 'gateway' ? env.get('PORT') : env.get('METRICS_PORT');
      const host = app === 'gateway' ? env.get('HOST') : env.get('METRICS_HOST');
      const probes = {
        readiness: container.readinessProbe!.httpGet!,
        liveness: container.livenessProbe!.httpGet!,
      };
      expect({
        app,
        host,
        ports: [probes.readiness.port, probes.liveness.port].map((p) => String(containerPort(container, p))),
      }).toEqual({
        app,
        host: '0.0.0.0',
        ports: [listens, listens],
      });
      // The gateway's readiness covers its own connections only; a domain service's its database and NATS.
      expect({ app, readiness: probes.readiness.path, liveness: probes.liveness.path }).toEqual({
        app,
        readiness: app === 'gateway' ? '/health/ready?scope=self' : '/health/ready',
        liveness: '/health/live',
      });
    }
  });

  it('puts the directories the apps write on volumes, the file storage on one ReadWriteMany claim', () => {
    const fileClaims = new Set<string>();
    for (const { pod, container, app } of servingContainers()) {
      const env = environmentOf(container);
      for (const key of ['FILE_STORAGE_DIR', 'MAIL_DIR'].filter((k) => keysByApp.get(app)!.includes(k))) {
        const dir = env.get(key);
        const mount = (container.volumeMounts ?? []).find(
          (m) => dir === m.mountPath || dir?.startsWith(`${m.mountPath}/`),
        );
        expect({ app, key, dir, writable: !!mount && !mount.readOnly }).toEqual({
          app,
          key,
          dir: expect.stringMatching(/^\//),
          writable: true,
        });
        if (key === 'FILE_STORAGE_DIR') {
          const claim = pod.volumes?.find((v) => v.name === mount!.name)?.persistentVolumeClaim?.claimName;
          expect({ app, claim }).toEqual({ app, claim: expect.any(String) });
          fileClaims.add(claim!);
        }
      }
    }
    expect(fileClaims.size).toBe(1);
    const claim = named<Manifest & { spec: { accessModes: string[] } }>(
      'PersistentVolumeClaim',
      [...fileClaims][0],
    );
    expect(claim.spec.accessModes).toContain('ReadWriteMany');
  });

  it('lets every app finish its drain before Kubernetes kills it', () => {
    for (const { owner, pod, container } of servingContainers()) {
      const workload = owner.metadata.name;
      const grace = environmentOf(container).get('SHUTDOWN_GRACE_MS');
      // A preStop hook runs before SIGTERM, within the grace period: only a plain `sleep N` is counted.
      const preStop = container.lifecycle?.preStop?.exec?.command ?? ['sleep', '0'];
      expect({ workload, grace, preStop }).toEqual({
        workload,
        grace: expect.stringMatching(/^\d+$/),
        preStop: ['sleep', expect.stringMatching(/^\d+$/)],
      });
      const neededMs = Number(preStop[1]) * 1000 + Number(grace) + FORCED_EXIT_AFTER_GRACE_MS;
      const killedAfterMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
      expect({ workload, killedAfterMs, neededMs, enough: killedAfterMs >= neededMs }).toMatchObject({
        workload,
        enough: true,
      });
    }
  });

  it('points Services, disruption budgets, autoscalers and the Ingress at what exists', () => {
    for (const service of ofKind<Service>('Service')) {
      const targets = workloads().filter((w) =>
        selects(service.spec.selector, w.spec.template.metadata.labels),
      );
      expect({ service: service.metadata.name, targets: targets.length }).toEqual({
        service: service.metadata.name,
        targets: 1,
      });
      for (const port of service.spec.ports) {
        const served = targets[0].spec.template.spec.containers.some((c) =>
          containerPort(c, port.targetPort),
        );
        expect({ service: service.metadata.name, port: port.name, served }).toEqual({
          service: service.metadata.name,
          port: port.name,
          served: true,
        });
      }
    }
    for (const budget of ofKind<Manifest & { spec: { selector: { matchLabels: Labels } } }>(
      'PodDisruptionBudget',
    )) {
      const covered = workloads().filter((w) =>
        selects(budget.spec.selector.matchLabels, w.spec.template.metadata.labels),
      );
      expect({ budget: budget.metadata.name, covered: covered.length }).toEqual({
        budget: budget.metadata.name,
        covered: 1,
      });
    }
    for (const deployment of [
      named<Workload>('Deployment', 'gateway'),
      named<Workload>('Deployment', 'tickets'),
    ])
      expect(ofKind('PodDisruptionBudget').some((b) => b.metadata.name === deployment.metadata.name)).toBe(
        true,
      );
    const autoscalers = ofKind<
      Manifest & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number } }
    >('HorizontalPodAutoscaler');
    expect(autoscalers.map((a) => a.spec.scaleTargetRef.name)).toEqual(
      expect.arrayContaining(['gateway', 'tickets']),
    );
    for (const autoscaler of autoscalers) {
      const target = named<Workload>(
        autoscaler.spec.scaleTargetRef.kind,
        autoscaler.spec.scaleTargetRef.name,
      );
      // A `replicas` in the Deployment would reset the autoscaler's count on every apply.
      expect({
        target: target.metadata.name,
        replicas: target.spec.replicas,
        minReplicas: autoscaler.spec.minReplicas,
      }).toEqual({
        target: target.metadata.name,
        replicas: undefined,
        minReplicas: expect.any(Number),
      });
      expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
    }
    for (const statefulSet of ofKind<Workload>('StatefulSet'))
      expect(named<Service>('Service', statefulSet.spec.serviceName!).spec.clusterIP).toBe('None');
    for (const ingress of ofKind<
      Manifest & {
        spec: {
          rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[];
        };
      }
    >('Ingress'))
      for (const path of ingress.spec.rules.flatMap((rule) => rule.http.paths)) {
        const service = named<Service>('Service', path.backend.service.name);
        expect(service.spec.ports.map((p) => p.name)).toContain(path.backend.service.port.name);
      }
  });

  it('lets the Ingress pass a reply with the most and largest attachments the gateway accepts', () => {
    const gateway = environmentOf(named<Workload>('Deployment', 'gateway').spec.template.spec.containers[0]);
    const largestReply =
      Number(gateway.get('MAX_ATTACHMENTS_PER_MESSAGE') ?? DEFAULT_MAX_ATTACHMENTS_PER_MESSAGE) *
      Number(gateway.get('MAX_ATTACHMENT_BYTES') ?? DEFAULT_MAX_ATTACHMENT_BYTES);
    const units: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
    for (const ingress of ofKind('Ingress')) {
      const size = /^(\d+)([kmg]?)$/i.exec(
        ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size'] ?? '',
      );
      expect(size).not.toBeNull();
      expect(Number(size![1]) * units[size![2].toLowerCase()]).toBeGreaterThan(largestReply);
    }
  });

  it('takes every secret from the Secret whose creation docs/deploy.md shows, with every key it needs', () => {
    const docs = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
    const keys = new Set<string>();
    for (const { pod } of podSpecs())
      for (const container of pod.containers)
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (!ref) continue;
          expect({ variable: variable.name, secret: ref.name, key: ref.key }).toEqual({
            variable: variable.name,
            secret: SECRET_NAME,
            key: variable.name,
          });
          keys.add(ref.key);
        }
    expect(docs).toContain(`kubectl -n helpdesk create secret generic ${SECRET_NAME}`);
    for (const key of keys)
      expect({ key, documented: docs.includes(`--from-literal=${key}=`) }).toEqual({ key, documented: true });
  });

  it('configures a NATS cluster that nats-server accepts, with routes to every server, behind NATS_URL', () => {
    const nats = named<Workload>('StatefulSet', 'nats');
    expect(nats.spec.replicas).toBe(3);
    const pod = nats.spec.template.spec;
    const container = pod.containers[0];
    const configMount = container.volumeMounts!.find((m) =>
      container.args!.some((arg) => arg.startsWith(`${m.mountPath}/`)),
    )!;
    const configMap = named(
      'ConfigMap',
      pod.volumes!.find((v) => v.name === configMount.name)!.configMap!.name,
    );
    const configFile = container.args!.find((arg) => arg.startsWith(`${configMount.mountPath}/`))!;
    const config = String(configMap.data![configFile.slice(configMount.mountPath.length + 1)]);

    const routes = [...config.matchAll(/nats:\/\/([a-z0-9-]+)\.([a-z0-9-]+):(\d+)/g)].map((m) => m.slice(1));
    const clusterPort = String(containerPort(container, 'cluster'));
    const servers = Array.from({ length: nats.spec.replicas! }, (_, i) => `${nats.metadata.name}-${i}`);
    expect(routes).toEqual(servers.map((server) => [server, nats.spec.serviceName, clusterPort]));
    expect(config).toMatch(/jetstream\s*\{/);

    // The container's own environment, with the downward API's pod name as one of the pods gets it.
    const env = Object.fromEntries(
      (container.env ?? []).map((v) => [
        v.name,
        v.valueFrom?.fieldRef?.fieldPath === 'metadata.name' ? 'nats-0' : v.value,
      ]),
    );
    const dir = mkdtempSync(join(tmpdir(), 'helpdesk-nats-conf-'));
    try {
      writeFileSync(join(dir, 'nats.conf'), config);
      const check = spawnSync(natsServerBinary(), ['--config', join(dir, 'nats.conf'), '-t'], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({
        status: 0,
        output: expect.stringContaining('is valid'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const natsUrl = new URL(String(named('ConfigMap', 'helpdesk-common').data!.NATS_URL));
    const client = named<Service>('Service', natsUrl.hostname);
    expect(selects(client.spec.selector, nats.spec.template.metadata.labels)).toBe(true);
    const port = client.spec.ports.find((p) => String(p.port) === natsUrl.port)!;
    expect(String(containerPort(container, port.targetPort))).toBe(/^port:\s*(\d+)$/m.exec(config)?.[1]);
  });
});
