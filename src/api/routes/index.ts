/**
 * Route groups beyond the core (units, apply, events, system) that the
 * agent serves. Add a group here to expose it.
 */
import type { RouteGroup } from '../server.js';
import { registerDashRoutes } from './dash-routes.js';
import { registerContainerRoutes } from './containers.js';
import { registerImageRoutes } from './images.js';
import { registerSystemdRoutes } from './systemd.js';
import { registerObjectRoutes } from './objects.js';
import { registerUnitFileRoutes } from './unit-files.js';

/** Extra route groups, in registration order. */
export const agentRoutes: RouteGroup[] = [
  registerDashRoutes,
  registerContainerRoutes,
  registerImageRoutes,
  registerSystemdRoutes,
  registerObjectRoutes,
  registerUnitFileRoutes,
];
