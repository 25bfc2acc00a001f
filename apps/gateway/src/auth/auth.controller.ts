import { AuthenticateUserRequest, InternalUserView } from '@helpdesk/contracts';
import { currentCorrelationId, parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { ApiBody, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { openApi } from '../http/openapi.js';
import { InternalUserGuard } from './internal-user.guard.js';
import { LoginLimiter, LoginRateLimited } from './login-limiter.js';
import { endSession, logInSession } from './sessions.js';
import { CurrentViewer, type InternalViewer } from './viewer.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly loginLimiter: LoginLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Internal users (admins, agents) log in with email and password; the session cookie is set. */
  @Post('login')
  @ApiBody({ schema: openApi(AuthenticateUserRequest, 'input') })
  @ApiOkResponse({ schema: openApi(InternalUserView) })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins; `Retry-After` says when to try again' })
  async login(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const credentials = parseOrThrow(AuthenticateUserRequest, body, 'login');
    let user;
    try {
      user = await this.loginLimiter.attempt(req, 'users', credentials.email, () =>
        this.rpc.send('identity.users.authenticate', credentials),
      );
    } catch (error) {
      if (!(error instanceof LoginRateLimited)) throw error;
      // Answered here: the error filter's Retry-After is a generic few seconds, not this window's end.
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      res.status(429).json({ error: { ...error.toBody(), correlationId: currentCorrelationId() } });
      return;
    }
    await logInSession(req, { kind: 'internal', ...user }, this.config.ADMIN_SESSION_IDLE_MINUTES);
    res.status(200).json(user);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    await endSession(req, res);
  }

  @Get('me')
  @UseGuards(InternalUserGuard)
  @ApiOkResponse({ schema: openApi(InternalUserView) })
  me(@CurrentViewer() viewer: InternalViewer) {
    const { kind: _kind, ...user } = viewer;
    return user;
  }
}
