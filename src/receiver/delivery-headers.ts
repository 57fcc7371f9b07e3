import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface DeliveryHeaders {
  /** `X-Xurrent-Delivery`, the legacy `X-4me-Delivery`, or a generated id when neither was sent. */
  delivery: string;
  /** True when the id was generated here, so it cannot detect a repeated delivery. */
  generated: boolean;
  deliveryOrigin?: string;
}

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && DELIVERY_ID.test(first) ? first : undefined;
}

export function readDeliveryHeaders(headers: IncomingHttpHeaders): DeliveryHeaders {
  const delivery = header(headers, 'x-xurrent-delivery') ?? header(headers, 'x-4me-delivery');
  const deliveryOrigin = header(headers, 'x-xurrent-delivery-origin') ?? header(headers, 'x-4me-delivery-origin');
  return {
    delivery: delivery ?? randomUUID(),
    generated: delivery === undefined,
    ...(deliveryOrigin && deliveryOrigin !== delivery ? { deliveryOrigin } : {}),
  };
}
