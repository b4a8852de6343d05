import { command as apply } from "./apply/command.ts";
import type { Command } from "./command.ts";
import { command as completion } from "./commands/completion.ts";
import { command as createAccessentry } from "./commands/create-accessentry.ts";
import { command as createAddon } from "./commands/create-addon.ts";
import { command as createCluster } from "./commands/create-cluster.ts";
import { command as createFargateprofile } from "./commands/create-fargateprofile.ts";
import { command as createIamidentitymapping } from "./commands/create-iamidentitymapping.ts";
import { command as createIamserviceaccount } from "./commands/create-iamserviceaccount.ts";
import { command as createNodegroup } from "./commands/create-nodegroup.ts";
import { command as createPodidentityassociation } from "./commands/create-podidentityassociation.ts";
import { command as deleteAccessentry } from "./commands/delete-accessentry.ts";
import { command as deleteAddon } from "./commands/delete-addon.ts";
import { command as deleteCluster } from "./commands/delete-cluster.ts";
import { command as deleteFargateprofile } from "./commands/delete-fargateprofile.ts";
import { command as deleteIamidentitymapping } from "./commands/delete-iamidentitymapping.ts";
import { command as deleteNodegroup } from "./commands/delete-nodegroup.ts";
import { command as drainNodegroup } from "./commands/drain-nodegroup.ts";
import { command as getAccessentry } from "./commands/get-accessentry.ts";
import { command as getAddon } from "./commands/get-addon.ts";
import { command as getCluster } from "./commands/get-cluster.ts";
import { command as getCost } from "./commands/get-cost.ts";
import { command as getFargateprofile } from "./commands/get-fargateprofile.ts";
import { command as getIamidentitymapping } from "./commands/get-iamidentitymapping.ts";
import { command as getNodegroup } from "./commands/get-nodegroup.ts";
import { command as getPodidentityassociation } from "./commands/get-podidentityassociation.ts";
import { command as scaleNodegroup } from "./commands/scale-nodegroup.ts";
import { command as updateAddon } from "./commands/update-addon.ts";
import { command as upgradeCluster } from "./commands/upgrade-cluster.ts";
import { command as upgradeNodegroup } from "./commands/upgrade-nodegroup.ts";
import { command as utilsWriteKubeconfig } from "./commands/utils-write-kubeconfig.ts";
import { runCli } from "./dispatch.ts";

// The kumulus CLI: eksctl's commands, flags and output on the EKS API (parsing and dispatch: cli/dispatch.ts).
// Each command is one file exporting `command`; import it and list it here to register it.

export const COMMANDS: Command[] = [
  createCluster,
  getCluster,
  deleteCluster,
  upgradeCluster,
  createNodegroup,
  getNodegroup,
  scaleNodegroup,
  deleteNodegroup,
  drainNodegroup,
  upgradeNodegroup,
  createFargateprofile,
  getFargateprofile,
  deleteFargateprofile,
  createIamidentitymapping,
  getIamidentitymapping,
  deleteIamidentitymapping,
  createAddon,
  getAddon,
  updateAddon,
  deleteAddon,
  createAccessentry,
  getAccessentry,
  deleteAccessentry,
  createIamserviceaccount,
  createPodidentityassociation,
  getPodidentityassociation,
  getCost,
  utilsWriteKubeconfig,
  completion,
  apply,
];

// The SDK's notice that its future releases need Node 22 is noise in every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

process.exit(await runCli(process.argv.slice(2), COMMANDS));
