/**
 * Every module's routes, in one list: the server registers them, and the
 * isolation and access suites enumerate what they register.
 */
import { identityRoutes } from './identity/routes.js';
import { officeRoutes } from './offices/routes.js';
import { organizationRoutes } from './organizations/routes.js';
import type { RouteModule } from './platform/http/server.js';
import { placementRoutes } from './platform/placement-routes.js';

export const ROUTE_MODULES: readonly RouteModule[] = [identityRoutes, organizationRoutes, placementRoutes, officeRoutes];
