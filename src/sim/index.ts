export { startSimulator } from './server.js';
export type { RunningSimulator } from './server.js';
export { SimulatorControl } from './control.js';
export type { ControlMethod } from './control.js';
export { connectSimulator } from './http-control-client.js';
export type { RemoteSimulatorControl } from './http-control-client.js';
export type { SimulatorOptions, RateLimitSettings } from './options.js';
export type { Clock } from './clock.js';
export type { DeliveryAttempt, DeliveryFilter, DeliveryPredicate } from './deliveries.js';
export type { FaultRule, EndpointFault, DeliveryFault, FaultEndpoint } from './faults.js';
export type { InstallPart, ControlInput } from './control-schemas.js';
export type { LifecycleResult } from './lifecycle.js';
export type {
  AccountView,
  AppInstanceView,
  OauthApplicationView,
  OfferingView,
  WebhookPolicyView,
  WebhookView,
} from './views.js';
export { SimError } from './errors.js';
