// The built-in parity handlers. Adding a kind = a new file in this folder exporting its handler,
// plus one registration line below (see tools/parity/README.md).
import { registerParityKind } from '../registry';
import { lrSchedulesHandler } from './lr-schedules';
import { maePosEmbedHandler } from './mae-pos-embed';
import { optimizerAdamwHandler } from './optimizer-adamw';

registerParityKind('optimizer_adamw', optimizerAdamwHandler);
registerParityKind('lr_schedules', lrSchedulesHandler);
registerParityKind('mae_pos_embed', maePosEmbedHandler);
