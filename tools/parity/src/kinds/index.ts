// The built-in parity handlers. Adding a kind = a new file in this folder exporting its handler,
// plus one registration line below (see tools/parity/README.md).
import { registerParityKind } from '../registry';
import { lrSchedulesHandler } from './lr-schedules';
import { maePosEmbedHandler } from './mae-pos-embed';
import { optimizerAdamwHandler } from './optimizer-adamw';

registerParityKind('optimizer_adamw', optimizerAdamwHandler);
registerParityKind('lr_schedules', lrSchedulesHandler);
registerParityKind('mae_pos_embed', maePosEmbedHandler);
import { maeVitHandler } from './mae_vit';
import { neighborMaeHandler } from './neighbor_mae';

registerParityKind('mae_vit', maeVitHandler);
registerParityKind('neighbor_mae', neighborMaeHandler);
import { convnextv2BlockHandler } from './convnextv2_block';
import { convnextv2DenseHandler } from './convnextv2_dense';

registerParityKind('convnextv2_dense', convnextv2DenseHandler);
registerParityKind('convnextv2_block', convnextv2BlockHandler);
import { fcmaeLossHandler } from './fcmae_loss';

registerParityKind('fcmae_loss', fcmaeLossHandler);
