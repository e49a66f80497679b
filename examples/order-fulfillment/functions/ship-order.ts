// Books a shipment (a TypeScript handler: Stepwise compiles it on first use).
interface ShipRequest {
  orderId: string;
  carrier: 'overnight' | 'ground';
  fee: number;
}

export const handler = async (req: ShipRequest) => ({
  carrier: req.carrier,
  fee: req.fee,
  trackingNumber: `${req.carrier === 'overnight' ? 'EX' : 'GR'}-${req.orderId}`,
});
