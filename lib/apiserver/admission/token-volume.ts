// What EKS's pod identity webhook writes into a pod, for IRSA and Pod Identity alike: variables in every
// container and init container (those a container sets itself are left alone), a read-only mount of a
// projected service-account token, and the volume that projects it.

export interface EnvVar {
  name: string;
  value?: string;
}

export interface Container {
  name: string;
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface PodSpec {
  serviceAccountName?: string;
  containers?: Container[];
  initContainers?: Container[];
  volumes?: { name: string }[];
}

export interface TokenVolume {
  volume: string;
  mountPath: string;
  audience: string;
  expirationSeconds: number;
  /** The file name inside the mount. */
  path: string;
}

export function injectTokenVolume(
  spec: PodSpec,
  env: EnvVar[],
  t: TokenVolume,
  skip: ReadonlySet<string> = new Set(),
): void {
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (skip.has(c.name)) continue;
    const have = new Set((c.env ?? []).map((e) => e.name));
    c.env = [...(c.env ?? []), ...env.filter((e) => !have.has(e.name))];
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: t.volume, mountPath: t.mountPath, readOnly: true }];
  }
  const projected = {
    sources: [
      { serviceAccountToken: { audience: t.audience, expirationSeconds: t.expirationSeconds, path: t.path } },
    ],
  };
  spec.volumes = [...(spec.volumes ?? []), { name: t.volume, projected } as { name: string }];
}
