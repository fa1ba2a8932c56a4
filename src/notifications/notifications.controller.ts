import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { badRequest } from '../common/domain-error.js';
import { CurrentAuth, type AuthContext } from '../identity/auth-context.js';
import { ListNotificationsQueryDto, MarkReadDto } from './dto/notification.dto.js';
import { NotificationService } from './notification.service.js';

@ApiTags('notifications')
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationService) {}

  @Get()
  @ApiOperation({ summary: 'My notifications, newest first' })
  list(@CurrentAuth() auth: AuthContext, @Query() q: ListNotificationsQueryDto) {
    return this.notifications.list(auth, q.unread ?? false, q.limit, q.cursor);
  }

  @Get('unread-count')
  async unreadCount(@CurrentAuth() auth: AuthContext) {
    return { count: await this.notifications.unreadCount(auth) };
  }

  @Post('read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark some (ids) or all (all=true) as read' })
  async markRead(@CurrentAuth() auth: AuthContext, @Body() body: MarkReadDto) {
    if (!body.ids === !body.all) throw badRequest('ids_or_all', 'Send either ids or all=true');
    return { updated: await this.notifications.markRead(auth, body.ids?.map((id) => id.toLowerCase()) ?? null) };
  }
}
