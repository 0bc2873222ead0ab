import type { Command } from '../command.js';
import { auditCommand } from './audit.js';
import { devCommand } from './dev.js';
import { edgeCommand } from './edge.js';
import { importCommand } from './import-ejabberd.js';
import { onlineTimeCommand } from './online-time.js';
import { rebuildCommand } from './rebuild.js';
import { responderCommand } from './responder.js';
import { sessionsCommand } from './sessions.js';
import { setupCommand } from './setup.js';
import { topicsCommand } from './topics.js';
import { userCommand } from './user.js';

/** Every subcommand, in the order `onlinetime --help` lists them. */
export const COMMANDS: readonly Command[] = [
  devCommand,
  edgeCommand,
  sessionsCommand,
  responderCommand,
  setupCommand,
  userCommand,
  topicsCommand,
  onlineTimeCommand,
  auditCommand,
  rebuildCommand,
  importCommand,
];
