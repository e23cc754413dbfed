import type { FastifyPluginAsync } from 'fastify';
import { errorResponses } from '../api-schemas';

export const meRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/me',
    {
      schema: {
        summary: 'Who the API key belongs to',
        tags: ['auth'],
        response: {
          200: {
            type: 'object',
            required: ['principal', 'role'],
            properties: {
              principal: { type: 'string' },
              role: { type: 'string', enum: ['user', 'admin'] },
              tags: { type: 'array', items: { type: 'string' }, description: 'The only tags this key may use; absent: all' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { principal, role, tags } = request.principal;
      return tags ? { principal, role, tags } : { principal, role };
    },
  );
};
