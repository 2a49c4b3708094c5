import { SetMetadata } from '@nestjs/common';

export const PAGES_KEY = 'zen:pages';

/**
 * Marks a controller (or one of its methods) as serving pages a browser renders — the
 * dashboard's files — so that the HTTP pipeline gives its answers Helmet's document headers
 * instead of the API's (security-headers.ts).
 */
export const ServesPages = (): ClassDecorator & MethodDecorator => SetMetadata(PAGES_KEY, true);
