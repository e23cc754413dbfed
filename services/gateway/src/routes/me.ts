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
            properties: { principal: { type: 'string' }, role: { type: 'string', enum: ['user', 'admin'] } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({ principal: request.principal.principal, role: request.principal.role }),
  );
};
