import Fastify from 'fastify';

// Foundation stage: starts and answers /healthz. The lifecycle issue fills it in.
const app = Fastify({ logger: true });
app.get('/healthz', async () => ({ status: 'ok' }));
void app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
