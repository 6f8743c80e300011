import { IocContainer, IocContainerFactory } from '@tsoa/runtime';
import type { Request } from 'express';

/**
 * tsoa builds each controller with the services of the app that received the request (the composition root's,
 * which satisfy each surface's own interface of what it uses: GpayServices, SandboxServices).
 */
export const iocContainer: IocContainerFactory = (request: Request): IocContainer => ({
  get: (<T>(controller: unknown): T => {
    const Ctor = controller as new (services: unknown) => T;
    return new Ctor(request.app.locals.services as unknown);
  }) as IocContainer['get'],
});
