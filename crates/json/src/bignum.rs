//! Non-negative integers of any size, with the few operations that exact float reading and
//! writing need. Floats in the playground's JSON are rare (a token claim may hold one), so
//! these trade speed for code size: a number is a vector of 32-bit limbs, every step is a
//! loop over them, and a power of two is made by doubling.

use std::cmp::Ordering;

/// A non-negative integer, least significant limb first, with no zero limbs at the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Big(Vec<u32>);

impl Big {
    /// `n × 2^twos`.
    pub(crate) fn scaled(n: u64, twos: u32) -> Big {
        let mut big = Big(vec![n as u32, (n >> 32) as u32]); // the low and high halves
        big.trim();
        for _ in 0..twos {
            big.mul_small(2);
        }
        big
    }

    /// The number of significant bits.
    pub(crate) fn bits(&self) -> u32 {
        self.0
            .last()
            .map_or(0, |top| 32 * self.0.len() as u32 - top.leading_zeros())
    }

    /// Bit `i` (0 is the least significant).
    pub(crate) fn bit(&self, i: u32) -> bool {
        self.0
            .get((i / 32) as usize)
            .is_some_and(|limb| limb >> (i % 32) & 1 == 1)
    }

    pub(crate) fn mul_small(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32; // the low 32 bits; the rest carries
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    pub(crate) fn add(&self, other: &Big) -> Big {
        let mut sum = Big(Vec::new());
        let mut carry = 0u64;
        for i in 0..=self.0.len().max(other.0.len()) {
            let v = u64::from(self.limb(i)) + u64::from(other.limb(i)) + carry;
            sum.0.push(v as u32); // the low 32 bits; the rest carries
            carry = v >> 32;
        }
        sum.trim();
        sum
    }

    /// `self - other`, for `self >= other`.
    pub(crate) fn sub_assign(&mut self, other: &Big) {
        let mut borrow = false;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let (v, under) = limb.overflowing_sub(other.limb(i));
            let (v, under_again) = v.overflowing_sub(u32::from(borrow));
            *limb = v;
            borrow = under || under_again;
        }
        self.trim();
    }

    fn limb(&self, i: usize) -> u32 {
        self.0.get(i).copied().unwrap_or(0)
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
