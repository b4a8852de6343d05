// The layering of lib/, checked by `npm test` (dependency-cruiser). Read it as the architecture: each folder
// of lib/ is a room, and a room may import only itself, the rooms listed for it, and the shared files at the
// root of lib/ (log.ts; topology.ts for the rooms that wire infrastructure). Every list points down, so no
// import can close a cycle between rooms; test/unit/layering.test.ts checks that the lists form no cycle and
// that a bad import fails. Entry points (functions/, local/, cli/, cdk/, bench/) sit above all rooms and may
// import any of them; lib/ never imports them.
//
// Where new code goes:
// - a controller: lib/controllers/ (one file, one reconcile), listed in lib/loops/modules.ts;
// - an admission plugin: lib/apiserver/admission/, listed in its index.ts; what it shares with a controller
//   moves down to lib/api/ (pure) or lib/store/ (reads);
// - an EKS operation: lib/eks/ops/; a provisioner or node provider: lib/capacity/; a loop that changes EKS
//   capacity (rollouts, autoscaling, Fargate): lib/fleet/, listed in lib/loops/modules.ts;
// - authentication, authorization, IAM and STS: lib/identity/;
// - the one HTTP edge that mounts the Kubernetes API, the EKS API and IAM/STS: lib/edge/.

/** room → the rooms it may import (besides itself). Bottom first. */
const rooms = {
  // Pure API machinery: kinds and schemas, validation, quantities, selectors, patch, pod predicates. No I/O.
  api: [],
  // The eksctl ClusterConfig (eksctl.io/v1alpha5): parse, default, validate, translate into EKS API requests.
  // Pure: text in, values out; the eksctl CLI (an entry point) does the I/O.
  eksctl: [],
  // DynamoDB storage: keys, codec, the group committer, Store, the kinds a cluster serves.
  store: ["api"],
  // The watch log: the stream router and the reader behind every watch.
  watch: ["store", "api"],
  // What a function needs at run time: environment, default store, work queues, timers, the loop contract.
  runtime: ["watch", "store", "api"],
  // IAM and STS, EKS and service-account token checks, access entries and policies, RBAC: data plus pure checks.
  identity: ["runtime", "store", "api"],
  // The Kubernetes API server: routing, authn → authz → admission → validation, handlers, watch streaming.
  apiserver: ["identity", "runtime", "watch", "store", "api"],
  // The in-process API client every loop uses (client-go's role). It never imports the server: entry points
  // connect it to one.
  client: ["api"],
  // The control loops, each talking to the API through the client.
  scheduler: ["client", "runtime", "api"],
  kubelet: ["client", "runtime", "api"],
  controllers: ["client", "runtime", "store", "api"],
  // (coming) Node capacity behind one provider: catalog, node groups, Fargate, Karpenter. It may simulate
  // placements with the pure scheduling algorithm.
  capacity: ["scheduler", "client", "runtime", "store", "api"],
  // The EKS service API: clusters, versions, updates, add-ons, node groups.
  eks: ["capacity", "identity", "client", "runtime", "store", "api"],
  // The one HTTP edge: EKS API, each cluster's Kubernetes API, IAM and STS, OIDC issuers, the IAM token authenticator.
  edge: ["eks", "identity", "apiserver", "client", "runtime", "store", "api"],
  // Loops that act on EKS resources from the work queues: node-group rollouts, the Cluster Autoscaler, the
  // Fargate scheduler. They read the EKS records and change capacity through the same code the EKS API uses.
  fleet: ["eks", "capacity", "identity", "scheduler", "client", "runtime", "store", "api"],
  // The assembly of every loop: which changes wake which loop, fan-out, resync.
  loops: [
    "fleet",
    "controllers",
    "scheduler",
    "kubelet",
    "capacity",
    "client",
    "runtime",
    "watch",
    "store",
    "api",
  ],
};

/** Files at the root of lib/ and who may import them. */
const shared = {
  "log.ts": Object.keys(rooms),
  "topology.ts": ["runtime", "loops", "edge"],
};

const alt = (names) => names.map((n) => n.replace(/[.]/g, "\\.")).join("|");

const roomRules = Object.entries(rooms).map(([room, allowed]) => {
  const files = Object.entries(shared)
    .filter(([, users]) => users.includes(room))
    .map(([f]) => f);
  return {
    name: `room-${room}`,
    comment: `lib/${room}/ may import only ${[room, ...allowed].join(", ")}${files.length ? ` and lib/{${files.join(",")}}` : ""}`,
    severity: "error",
    from: { path: `^lib/${room}/` },
    to: {
      path: "^lib/",
      pathNot: `^lib/(${alt([room, ...allowed])})/${files.length ? `|^lib/(${alt(files)})$` : ""}`,
    },
  };
});

module.exports = {
  forbidden: [
    ...roomRules,
    {
      name: "rooms-are-declared",
      comment: "every folder of lib/ is a room declared in .dependency-cruiser.cjs, with its direction",
      severity: "error",
      from: { path: "^lib/[^/]+/" },
      to: { path: "^lib/", pathNot: `^lib/(${alt(Object.keys(rooms))})/|^lib/[^/]+\\.ts$` },
    },
    {
      name: "undeclared-room",
      comment: "every folder of lib/ is a room declared in .dependency-cruiser.cjs, with its direction",
      severity: "error",
      from: { path: "^lib/", pathNot: `^lib/(${alt(Object.keys(rooms))})/|^lib/[^/]+\\.ts$` },
      to: {},
    },
    {
      name: "lib-never-imports-entry-points",
      comment: "lib/ is imported by the entry points, never the other way round",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^(functions|local|cli|cdk|bench|test|infra-tests)/" },
    },
    {
      name: "root-files-import-down",
      comment: "the shared files at the root of lib/ import no room",
      severity: "error",
      from: { path: "^lib/[^/]+\\.ts$" },
      to: { path: "^lib/[^/]+/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: they tie rooms together as much as value imports do.
    tsPreCompilationDeps: true,
    exclude: { path: "(^|/)node_modules/" },
  },
};

// For test/unit/layering.test.ts, which checks that the room lists form no cycle.
Object.defineProperty(module.exports, "rooms", { value: rooms, enumerable: false });
