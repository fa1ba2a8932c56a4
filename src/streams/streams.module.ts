import { Module } from '@nestjs/common';
import { PostsModule } from '../posts/posts.module.js';
import { StreamsController } from './streams.controller.js';

@Module({
  imports: [PostsModule],
  controllers: [StreamsController],
})
export class StreamsModule {}
