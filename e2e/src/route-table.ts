import 'reflect-metadata';
import { MODULE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type Type } from '@nestjs/common';

/** One HTTP route the gateway answers: its method and its path as Nest declares it (`:name` parameters). */
export interface GatewayRoute {
  method: string;
  /** Without the leading slash, e.g. `api/v1/tickets/:id` or `:slug/tickets/:id`. */
  path: string;
  /** `ControllerName.handlerName`, to say where a route comes from. */
  handler: string;
}

/** The `:name` parameters of a route's path, in order. */
export const paramsOf = (path: string): string[] => [...path.matchAll(/:(\w+)/g)].map((match) => match[1]);

export const routeKey = (route: { method: string; path: string }) => `${route.method} /${route.path}`;

type ModuleEntry =
  Type | { module: Type; imports?: unknown[]; controllers?: Type[] } | { forwardRef: () => unknown };

/**
 * Every route of the gateway, read from the Nest metadata of the very AppModule the gateway runs
 * (its build output, as `startSystem` starts it), so a controller or handler added later is in the
 * table without anyone listing it. The gateway sets no global prefix (gateway.ts), so the paths are
 * the controllers' and handlers' own. Routes mounted on Express directly (bull-board, the portal's
 * static assets, Swagger) are not Nest's: the security matrix lists them itself.
 */
export async function gatewayRoutes(): Promise<GatewayRoute[]> {
  const { AppModule } = await import('@helpdesk/gateway/dist/app.module.js');
  // forRoot only wires the values it is given into providers; nothing is started or connected here.
  const root = AppModule.forRoot({} as never, {} as never, {} as never, {} as never) as ModuleEntry;
  const controllers = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (entry: ModuleEntry | undefined) => {
    if (!entry) throw new Error('an undefined module import (a circular import without forwardRef?)');
    if ('forwardRef' in entry) return visit(entry.forwardRef() as ModuleEntry);
    const dynamic = 'module' in entry ? entry : undefined;
    const moduleClass = dynamic ? dynamic.module : (entry as Type);
    if (typeof moduleClass !== 'function') throw new Error(`not a module: ${String(moduleClass)}`);
    if (seen.has(entry)) return;
    seen.add(entry);
    const declared = <T>(key: string): T[] => [
      ...((Reflect.getMetadata(key, moduleClass) as T[] | undefined) ?? []),
      ...(((dynamic as Record<string, unknown> | undefined)?.[key] as T[] | undefined) ?? []),
    ];
    for (const controller of declared<Type>(MODULE_METADATA.CONTROLLERS)) controllers.add(controller);
    for (const imported of declared<ModuleEntry>(MODULE_METADATA.IMPORTS)) visit(imported);
  };
  visit(root);

  const routes: GatewayRoute[] = [];
  for (const controller of controllers) {
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || method === undefined) continue;
      for (const prefix of prefixes)
        for (const path of asList(paths))
          routes.push({
            method: RequestMethod[method],
            path: [prefix, path]
              .map((part) => part.replace(/^\/+|\/+$/g, ''))
              .filter(Boolean)
              .join('/'),
            handler: `${controller.name}.${name}`,
          });
    }
  }
  return routes;
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [''] : Array.isArray(value) ? value : [value];
