import { AuthenticateUserRequest, InternalUserView } from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { openApi } from '../http/openapi.js';
import { InternalUserGuard } from './internal-user.guard.js';
import { SESSION_COOKIE, startSessionClock } from './sessions.js';
import { CurrentViewer, type InternalViewer } from './viewer.js';

/** Passport's callback style as a promise. */
const settled = (call: (done: (error?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) =>
    call((error) =>
      error ? reject(error instanceof Error ? error : new Error('passport session error')) : resolve(),
    ),
  );

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Internal users (admins, agents) log in with email and password; the session cookie is set. */
  @Post('login')
  @HttpCode(200)
  @ApiBody({ schema: openApi(AuthenticateUserRequest, 'input') })
  @ApiOkResponse({ schema: openApi(InternalUserView) })
  async login(@Body() body: unknown, @Req() req: Request) {
    const credentials = parseOrThrow(AuthenticateUserRequest, body, 'login');
    const user = await this.rpc.send('identity.users.authenticate', credentials);
    // Passport regenerates the session id here, so an id planted before login is worthless after it.
    await settled((done) => req.logIn({ kind: 'internal', ...user }, done));
    startSessionClock(req, this.config.ADMIN_SESSION_IDLE_MINUTES);
    return user;
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    await settled((done) => req.logOut(done));
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie(SESSION_COOKIE);
  }

  @Get('me')
  @UseGuards(InternalUserGuard)
  @ApiOkResponse({ schema: openApi(InternalUserView) })
  me(@CurrentViewer() viewer: InternalViewer) {
    const { kind: _kind, ...user } = viewer;
    return user;
  }
}
