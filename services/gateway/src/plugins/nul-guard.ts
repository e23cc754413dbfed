import fp from 'fastify-plugin';
import { InvalidParams, InvalidRequest } from '../errors';
import { nulDetails, nulMessage, nulPath } from '../nul-characters';

/**
 * Refuses U+0000 in every route's path parameters, query string and JSON body before its schema runs
 * (multipart fields are checked where they are parsed, routes/tasks.ts).
 */
export const nulGuardPlugin = fp(
  async (app) => {
    app.addHook('preValidation', async (request) => {
      for (const [where, value] of [['params', request.params], ['querystring', request.query]] as const) {
        const at = nulPath(value);
        if (at !== undefined) throw new InvalidRequest(nulMessage(`${where}${at}`), nulDetails(at));
      }
      const at = nulPath(request.body);
      if (at !== undefined) throw new InvalidParams(nulMessage(`body${at}`), nulDetails(at));
    });
  },
  { name: 'taskyard-nul-guard' },
);
