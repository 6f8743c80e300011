import { IocContainer, IocContainerFactory } from '@tsoa/runtime';
import type { Request } from 'express';
import type { Services } from '../../container';

/** tsoa builds each controller with the services of the app that received the request. */
export const iocContainer: IocContainerFactory = (request: Request): IocContainer => ({
  get: (<T>(controller: unknown): T => {
    const Ctor = controller as new (services: Services) => T;
    return new Ctor(request.app.locals.services as Services);
  }) as IocContainer['get'],
});
