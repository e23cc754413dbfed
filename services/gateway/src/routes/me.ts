import type { FastifyPluginAsync } from 'fastify';

export const meRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/me',
    {
      schema: {
        operationId: 'getMe',
        summary: 'Who the API key belongs to',
        description: 'The principal (the owner of the tasks this key submits) and its role.',
        tags: ['me'],
        response: {
          200: {
            type: 'object',
            required: ['principal', 'role'],
            properties: {
              principal: { type: 'string' },
              role: { type: 'string', enum: ['user', 'admin', 'processor'] },
              tags: { type: 'array', items: { type: 'string' }, description: 'The only tags this key may use; absent: all' },
            },
          },
        },
      },
    },
    async (request) => {
      const { principal, role, tags } = request.principal;
      return tags ? { principal, role, tags } : { principal, role };
    },
  );
};
