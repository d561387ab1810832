/**
 * Every module's routes, in one list: the server registers them, and the
 * isolation and access suites enumerate what they register.
 */
import { accountRoutes } from './identity/account-routes.js';
import { authRoutes } from './identity/auth-routes.js';
import { mfaRoutes } from './identity/mfa-routes.js';
import { officeRoutes } from './offices/routes.js';
import { childAllowanceRoutes } from './operations/child-allowance/routes.js';
import { nhiRoutes } from './operations/national-health-insurance/routes.js';
import { residentialTaxRoutes } from './operations/residential-tax/routes.js';
import { organizationRoutes } from './organizations/routes.js';
import type { RouteModule } from './platform/http/server.js';
import { linkageRoutes } from './linkage/routes.js';
import { placementRoutes } from './platform/placement-routes.js';
import { assessmentRoutes } from './providers/assessment/routes.js';
import { placementPolicyRoutes } from './providers/placement/routes.js';
import { requirementsRoutes } from './providers/catalog/routes.js';
import { selfCheckRoutes } from './providers/self-checks/routes.js';
import { providerRegistryRoutes } from './providers/registry/routes.js';
import { certificateRoutes } from './resident-register/certificates/routes.js';
import { residentRegisterRoutes } from './resident-register/routes.js';
import { accessRoutes } from './security/access/routes.js';
import { auditRoutes } from './security/audit/routes.js';
import { exportRoutes } from './security/exports/routes.js';

export const ROUTE_MODULES: readonly RouteModule[] = [
  authRoutes,
  mfaRoutes,
  accountRoutes,
  organizationRoutes,
  placementRoutes,
  requirementsRoutes,
  providerRegistryRoutes,
  assessmentRoutes,
  placementPolicyRoutes,
  selfCheckRoutes,
  officeRoutes,
  accessRoutes,
  auditRoutes,
  exportRoutes,
  residentRegisterRoutes,
  certificateRoutes,
  linkageRoutes,
  nhiRoutes,
  childAllowanceRoutes,
  residentialTaxRoutes,
];
